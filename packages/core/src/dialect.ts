import { type DialectAdapter, PostgresAdapter } from "kysely";

/**
 * Whether `db` (a store's Kysely instance or one of its transactions) talks to PostgreSQL. The
 * rest is SQLite: the two stores of DESIGN §5. Checked by name too, for a Kysely loaded twice.
 */
export function onPostgres(db: { getExecutor(): { readonly adapter: DialectAdapter } }): boolean {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof PostgresAdapter || adapter.constructor.name === "PostgresAdapter";
}
