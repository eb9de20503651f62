import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  type PostgresDialectConfig,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from "kysely";
import { TranslatingDriver } from "./postgres-driver.js";

/** What `TranslatingPostgresDialect` takes beside Kysely's PostgreSQL dialect configuration. */
export interface TranslatingPostgresDialectOptions {
  /**
   * Told of each error of the server or the network (from acquiring a connection to `COMMIT`),
   * translated as the query throws it, for metrics. Unlike Kysely's `log`, it adds nothing around
   * a query that succeeds. Must not throw. Default none.
   */
  onQueryError?: (error: unknown) => void;
}

/**
 * Kysely's PostgreSQL dialect whose errors are translated: contention and outages become
 * `Unavailable`, serialization failures and deadlocks keep their SQLSTATE for the core's retry.
 * For embedders who build their own pool; `openPostgresStore` uses it too.
 */
export class TranslatingPostgresDialect implements Dialect {
  constructor(
    readonly config: PostgresDialectConfig,
    readonly options: TranslatingPostgresDialectOptions = {},
  ) {}

  createDriver(): Driver {
    return new TranslatingDriver(new PostgresDriver(this.config), this.options.onQueryError);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
