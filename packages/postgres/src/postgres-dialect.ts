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

/**
 * Kysely's PostgreSQL dialect whose errors are translated: contention and outages become
 * `Unavailable`, serialization failures and deadlocks keep their SQLSTATE for the core's retry.
 * For embedders who build their own pool; `openPostgresStore` uses it too.
 */
export class TranslatingPostgresDialect implements Dialect {
  constructor(readonly config: PostgresDialectConfig) {}

  createDriver(): Driver {
    return new TranslatingDriver(new PostgresDriver(this.config));
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
