// @teams/sqlite: the embedded store.

export type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
export { ImmediateSqliteDialect } from "./sqlite-dialect.js";
export { translateSqliteError } from "./sqlite-errors.js";
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { sqliteStoreKind } from "./sqlite-store-kind.js";
