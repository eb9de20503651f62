// @teams/sqlite: the embedded store.

export {
  backupSqliteFile,
  inspectSqliteFile,
  restoreSqliteFile,
  SqliteInUse,
} from "./sqlite-backup.js";
export type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
export { ImmediateSqliteDialect, type ImmediateSqliteDialectOptions } from "./sqlite-dialect.js";
export { translateSqliteError } from "./sqlite-errors.js";
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { sqliteStoreKind } from "./sqlite-store-kind.js";
