import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { applyMigrations } from "./migrations.js";

/**
 * Migrates a database the caller opened itself, in one transaction. The stores of this project
 * take their own locks around `applyMigrations`; an embedder with several processes should too.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<number[]> {
  return db.transaction().execute((trx) => applyMigrations(trx));
}
