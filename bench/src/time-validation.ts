// Times the hot parses and canAccess in process, one call at a time (not a test, not part of
// `pnpm bench`). Each line is the mean of 1e6 calls after as many warm-up calls. From bench/:
//   node --conditions=@teams/source --import ../apps/server/node_modules/tsx/dist/esm/index.mjs \
//     src/time-validation.ts
import { performance } from "node:perf_hooks";
import {
  AccessCheckInput,
  AuthorizedTeamsPageQuery,
  createTeams,
  parseInput,
  TeamUsersPageQuery,
} from "@teams/core";
import { admin, principal, seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";

const N = 1_000_000;
let accepted = 0;

function report(label: string, ms: number): void {
  const ns = (ms * 1e6) / N;
  const rate = `${Math.round(1e9 / ns / 1e3).toLocaleString("en")}k/s`;
  console.log(`${label.padEnd(52)} ${ns.toFixed(0).padStart(6)} ns/call ${rate.padStart(10)}`);
}

function time(label: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < N; i++) if (fn(i)) accepted++;
  const start = performance.now();
  for (let i = 0; i < N; i++) if (fn(i)) accepted++;
  report(label, performance.now() - start);
}

async function timeAsync(label: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < N; i++) if (await fn(i)) accepted++;
  const start = performance.now();
  for (let i = 0; i < N; i++) if (await fn(i)) accepted++;
  report(label, performance.now() - start);
}

// Cursors as the lists write them (base64url of the tagged key).
const cursorOf = (tag: string, key: [string, string]) =>
  Buffer.from(JSON.stringify([tag, ...key]), "utf8").toString("base64url");
const usersCursor = cursorOf("u", ["Ann Example", "01HZY0000000000000000000AB"]);
const teamsCursor = cursorOf("t", ["Club", "club"]);
const ids = Array.from({ length: 50 }, (_, n) => `user-${n.toString().padStart(4, "0")}`);

time("parseInput(AccessCheckInput)", (i) =>
  parseInput(AccessCheckInput, { user_id: ids[i % 50], scope: "data:read" }),
);
time("parseInput(TeamUsersPageQuery) limit", (i) =>
  parseInput(TeamUsersPageQuery, { limit: String(1 + (i % 1000)) }),
);
time("parseInput(TeamUsersPageQuery) name+limit+cursor", (i) =>
  parseInput(TeamUsersPageQuery, { name: ids[i % 50], limit: "50", cursor: usersCursor }),
);
time("parseInput(AuthorizedTeamsPageQuery) limit+cursor", () =>
  parseInput(AuthorizedTeamsPageQuery, { limit: "50", cursor: teamsCursor }),
);

const store = await openSqliteStore({ filename: ":memory:" });
const teams = createTeams(store);
await seedWorld(teams);
await teams.adminPutMember(admin, "club", "ann", { role: "member" });
const self = principal("ann");
const coach = principal("coach");
const carl = principal("carl");
// The user itself (no store read), its manager, and a stranger (both read the store).
await timeAsync("canAccess self", () =>
  teams.canAccess(self, { userId: "ann", scope: "data:read" }),
);
await timeAsync("canAccess manager (SQLite :memory:)", () =>
  teams.canAccess(coach, { userId: "ann", scope: "data:read" }),
);
await timeAsync("canAccess stranger (SQLite :memory:)", () =>
  teams.canAccess(carl, { userId: "ann", scope: "data:read" }),
);
await store.close();
if (accepted === 0) throw new Error("nothing was accepted: the timings measured refusals");
