import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { applyMigrations } from "./migrations.js";
import type { StoreKind } from "./store-kind.js";

/**
 * Migrates a database the caller opened itself, in one transaction. The stores of this project
 * take their own locks around `applyMigrations`; an embedder with several processes should too.
 */
export async function migrateToLatest(db: Kysely<Database>, kind: StoreKind): Promise<number[]> {
  return db.transaction().execute((trx) => applyMigrations(trx, kind));
}
