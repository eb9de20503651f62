import type { Database, StoreKind } from "@teams/core";
import type { Kysely } from "kysely";
import type { Config } from "./config.js";

/** What the server needs of a store, whichever it is. */
export interface Store {
  /** What the store is, for the core (`kind.family` names it). */
  kind: StoreKind;
  db: Kysely<Database>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store the configuration names (SQLite file or PostgreSQL URL), migrated unless
 * `migrate` is false (`teams migrate --status` reads the version of a database it leaves as it is).
 */
export async function openStore(
  database: Config["database"],
  postgres?: Config["postgres"],
  { migrate = true }: { migrate?: boolean } = {},
): Promise<Store> {
  if (database.kind === "postgres") {
    const { openPostgresStore } = await import("@teams/postgres");
    const store = await openPostgresStore({ url: database.url, ...postgres, migrate });
    return { kind: store.kind, db: store.db, ping: () => store.ping(), close: () => store.close() };
  }
  const { openSqliteStore } = await import("@teams/sqlite");
  const store = await openSqliteStore({ filename: database.filename, migrate });
  return { kind: store.kind, db: store.db, ping: () => store.ping(), close: () => store.close() };
}
