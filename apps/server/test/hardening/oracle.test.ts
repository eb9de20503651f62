import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import { inProcessApp } from "./support/http.js";
import { checkWorld, type OracleCounts } from "./support/oracle.js";
import {
  clearRows,
  openMemoryStore,
  openPostgresTestStore,
  postgresSkipReason,
  reportSkip,
} from "./support/stores.js";
import { worldSpec } from "./support/world.js";

// Item 1 of the hardening issue: an oracle in the manner of SpiceDB's own checks. Generated worlds
// (users, managed users, teams, memberships, a history of grants, revocations and deletions) are
// built through the core; plain TypeScript computes what every caller must see; every read
// endpoint answers, over REST and tRPC, for every (caller, team) pair, on SQLite and PostgreSQL.

const WORLDS_SQLITE = Number(process.env.TEAMS_HARDENING_WORLDS ?? 40);
const WORLDS_POSTGRES = Number(process.env.TEAMS_HARDENING_WORLDS ?? 25);
const seed = process.env.TEAMS_HARDENING_SEED
  ? Number(process.env.TEAMS_HARDENING_SEED)
  : undefined;

const skipPostgres = reportSkip("oracle", await postgresSkipReason());

const totals: Record<string, OracleCounts> = {};
afterAll(() => {
  for (const [store, c] of Object.entries(totals)) {
    console.log(
      `oracle on ${store}: ${c.worlds} generated worlds, ${c.writes} writes checked, ${c.reads} reads compared (REST and tRPC)`,
    );
  }
});

describe("the oracle: every read, every caller, every team", () => {
  it(
    `agrees with the model on SQLite (${WORLDS_SQLITE} worlds)`,
    async () => {
      const counts: OracleCounts = { worlds: 0, writes: 0, reads: 0 };
      totals.sqlite = counts;
      await fc.assert(
        fc.asyncProperty(worldSpec, async (spec) => {
          const store = await openMemoryStore();
          try {
            await checkWorld(await inProcessApp(store), store, spec, counts);
          } finally {
            await store.close();
          }
        }),
        { numRuns: WORLDS_SQLITE, ...(seed !== undefined ? { seed } : {}) },
      );
    },
    Math.max(120_000, WORLDS_SQLITE * 2_000),
  );

  it.skipIf(skipPostgres)(
    `agrees with the model on PostgreSQL (${WORLDS_POSTGRES} worlds)`,
    async () => {
      const counts: OracleCounts = { worlds: 0, writes: 0, reads: 0 };
      totals.postgres = counts;
      const store = await openPostgresTestStore("oracle");
      try {
        const app = await inProcessApp(store);
        await fc.assert(
          fc.asyncProperty(worldSpec, async (spec) => {
            // One schema for the whole property; each world starts from empty tables.
            await clearRows(store.db);
            await checkWorld(app, store, spec, counts);
          }),
          // Shrinking replays worlds over the network: stop at the first counterexample.
          { numRuns: WORLDS_POSTGRES, endOnFailure: true, ...(seed !== undefined ? { seed } : {}) },
        );
      } finally {
        await store.close();
      }
    },
    Math.max(120_000, WORLDS_POSTGRES * 3_000),
  );
});
