import { openPostgresStore } from "@teams/postgres";
import { openSqliteStore } from "@teams/sqlite";
import { afterEach } from "vitest";
import type { HarnessStore } from "../harness.js";
import { freshDatabase, noPostgres } from "./postgres.js";

/**
 * The two stores a story runs on, for `describe.each`: `[name, skip, open]`, PostgreSQL skipped
 * when it is not reachable. `cleanup` registers what a test opened (servers, databases); it is
 * run after each test, newest first.
 */
export function bothStores() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const cleanup = (step: () => Promise<void>) => {
    cleanups.push(step);
  };
  const stores: [string, boolean, () => Promise<HarnessStore>][] = [
    ["SQLite", false, () => openSqliteStore({ filename: ":memory:" })],
    [
      "PostgreSQL",
      noPostgres,
      async () => {
        const database = await freshDatabase();
        cleanup(() => database.drop());
        return openPostgresStore({ url: database.url });
      },
    ],
  ];
  return { stores, cleanup };
}
