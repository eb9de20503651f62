import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { SqliteDatabase } from "./sqlite-database.js";
import { ImmediateSqliteDriver } from "./sqlite-driver.js";

/** What `ImmediateSqliteDialect` takes beside the database. */
export interface ImmediateSqliteDialectOptions {
  /**
   * Told of each statement that failed (transaction control included), with the error as the
   * query throws it (translated: contention is `Unavailable`), for metrics. Unlike Kysely's
   * `log`, it adds nothing around a statement that succeeds. Must not throw. Default none.
   */
  onQueryError?: (error: unknown) => void;
}

/**
 * Kysely's SQLite dialect with the Teams driver: IMMEDIATE write transactions committed in groups,
 * prepared statements kept, contention reported as `Unavailable`. For embedders who open
 * better-sqlite3 themselves.
 */
export class ImmediateSqliteDialect implements Dialect {
  #driver: ImmediateSqliteDriver | undefined;

  /**
   * @param database An open better-sqlite3 `Database` (any object with the members `SqliteDatabase`
   *   declares), which Kysely then uses as its one connection. Queries answer the rows
   *   better-sqlite3 answers for them: `defaultSafeIntegers(true)` gives BigInts, BLOBs are Buffers.
   *   Statements are prepared once and kept, so set such defaults, and the pragmas you want (WAL,
   *   `busy_timeout`, `foreign_keys`), before the first query. `Kysely.destroy()` commits an open
   *   batch and closes the database; to close it yourself, call `flush()` first.
   */
  constructor(
    readonly database: SqliteDatabase,
    readonly options: ImmediateSqliteDialectOptions = {},
  ) {}

  createDriver(): Driver {
    this.#driver = new ImmediateSqliteDriver(this.database, this.options.onQueryError);
    return this.#driver;
  }

  /**
   * Commits the transactions waiting for a shared COMMIT (see `ImmediateSqliteDriver`) now; call it
   * before closing the database yourself rather than through `Kysely.destroy()`.
   */
  flush(): void {
    this.#driver?.flush();
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
