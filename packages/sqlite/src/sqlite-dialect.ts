import type BetterSqlite3 from "better-sqlite3";
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
import { ImmediateSqliteDriver } from "./sqlite-driver.js";

/**
 * Kysely's SQLite dialect with the Teams driver: IMMEDIATE write transactions committed in groups,
 * prepared statements kept, contention reported as `Unavailable`. For embedders who open
 * better-sqlite3 themselves.
 */
export class ImmediateSqliteDialect implements Dialect {
  #driver: ImmediateSqliteDriver | undefined;

  constructor(readonly database: BetterSqlite3.Database) {}

  createDriver(): Driver {
    this.#driver = new ImmediateSqliteDriver(this.database);
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
