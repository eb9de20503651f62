import type { Database, StoreKind } from "@teams/core";
import type { Kysely } from "kysely";
import type { Config } from "./config.js";

/** What the server needs of a store, whichever it is. */
export interface Store {
  /** What the store is, for the core (`kind.family` names it). */
  kind: StoreKind;
  db: Kysely<Database>;
  /** The schema versions applied when it was opened. */
  migrated: readonly number[];
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the store the configuration names (SQLite file or PostgreSQL URL), migrated. */
export async function openStore(
  database: Config["database"],
  postgres?: Config["postgres"],
): Promise<Store> {
  if (database.kind === "postgres") {
    const { openPostgresStore } = await import("@teams/postgres");
    const store = await openPostgresStore({ url: database.url, ...postgres });
    return {
      kind: store.kind,
      db: store.db,
      migrated: store.migrated,
      ping: () => store.ping(),
      close: () => store.close(),
    };
  }
  const { openSqliteStore } = await import("@teams/sqlite");
  const store = await openSqliteStore({ filename: database.filename });
  return {
    kind: store.kind,
    db: store.db,
    migrated: store.migrated,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
