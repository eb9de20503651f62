import type { Database, StoreKind } from "@teams/core";
import type { PoolUse } from "@teams/postgres";
import type { Kysely, Logger } from "kysely";
import type { Config } from "./config.js";

/** What the server needs of a store, whichever it is. */
export interface Store {
  /** What the store is, for the core (`kind.family` names it). */
  kind: StoreKind;
  db: Kysely<Database>;
  /** The schema versions applied when it was opened. */
  migrated: readonly number[];
  ping(): Promise<void>;
  /** PostgreSQL only: the pool's connections now, for metrics. */
  poolUse?(): PoolUse;
  close(): Promise<void>;
}

/**
 * Opens the store the configuration names (SQLite file or PostgreSQL URL), migrated unless
 * `migrate` is false (`teams migrate --status` reads the version of a database it leaves as it is);
 * `log` is told of every query (traces), `onQueryError` of each failed one (metrics), default none.
 */
export async function openStore(
  database: Config["database"],
  postgres?: Config["postgres"],
  {
    migrate = true,
    log,
    onQueryError,
  }: { migrate?: boolean; log?: Logger; onQueryError?: (error: unknown) => void } = {},
): Promise<Store> {
  const logged = { ...(log && { log }), ...(onQueryError && { onQueryError }) };
  if (database.kind === "postgres") {
    const { openPostgresStore } = await import("@teams/postgres");
    const store = await openPostgresStore({ url: database.url, ...postgres, ...logged, migrate });
    return {
      kind: store.kind,
      db: store.db,
      ping: () => store.ping(),
      poolUse: () => store.poolUse(),
      migrated: store.migrated,
      close: () => store.close(),
    };
  }
  const { openSqliteStore } = await import("@teams/sqlite");
  const store = await openSqliteStore({ filename: database.filename, ...logged, migrate });
  return {
    kind: store.kind,
    db: store.db,
    migrated: store.migrated,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
