// @teams/postgres: the scale-out store.

export {
  TranslatingPostgresDialect,
  type TranslatingPostgresDialectOptions,
} from "./postgres-dialect.js";
export { translatePostgresError } from "./postgres-errors.js";
export {
  migrationLockKey,
  openPostgresStore,
  type PoolUse,
  type PostgresStore,
  type PostgresStoreOptions,
} from "./postgres-store.js";
export { postgresStoreKind } from "./postgres-store-kind.js";
