// Runs random authorize/revoke operations on a few (user, team) pairs and logs each one as a JSON
// line with its outcome and its start and end on CLOCK_MONOTONIC, which every process shares.
// Usage: random-authorizer.ts <file> <busyTimeoutMs|default> <seed> <ops> <manager> <pairs as JSON>
import { createInterface } from "node:readline";
import { createTeams, GRANTABLE_SCOPES, NotFound, Unavailable } from "@teams/core";
import { delegated } from "@teams/core/testing";
import { openSqliteStore, type SqliteStore } from "../../src/index.js";

const [filename, timeoutArg, seedArg, opsArg, manager, pairsArg] = process.argv.slice(2);
if (!filename || !timeoutArg || !seedArg || !opsArg || !manager || !pairsArg) {
  throw new Error(
    "usage: random-authorizer.ts <file> <busyTimeoutMs|default> <seed> <ops> <manager> <pairs>",
  );
}
const pairs = JSON.parse(pairsArg) as [user: string, team: string][];
const busyTimeoutMs = timeoutArg === "default" ? undefined : Number(timeoutArg);

// mulberry32: reproducible from the seed the parent prints when a check fails.
let seed = Number(seedArg) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const clock = () => process.hrtime.bigint().toString();

// Opening runs the (no-op) migration under the write lock, which the other process may hold for
// longer than a short busy timeout; that is setup, not what is measured, so it is retried.
let store: SqliteStore | undefined;
for (let attempt = 1; !store; attempt++) {
  try {
    store = await openSqliteStore({
      filename,
      ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
    });
  } catch (error) {
    if (!(error instanceof Unavailable) || attempt >= 50) throw error;
  }
}
const teams = createTeams(store);

// Both processes start their operations together, when the parent says so.
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) if (line === "go") break;

for (let seq = 0; seq < Number(opsArg); seq++) {
  const [user, team] = pairs[Math.floor(random() * pairs.length)] ?? pairs[0] ?? ["", ""];
  const principal = delegated(user, manager);
  const authorize = random() < 0.65;
  // A random non-empty subset, in random order.
  const bits = 1 + Math.floor(random() * 7);
  const scopes = GRANTABLE_SCOPES.filter((_, i) => bits & (1 << i)).sort(() => random() - 0.5);
  const start = clock();
  let outcome: Record<string, unknown>;
  try {
    const answer = authorize
      ? await teams.authorizeTeam(principal, team, { scopes })
      : await teams.revokeTeam(principal, team);
    outcome = { outcome: "ok", answer };
  } catch (error) {
    if (error instanceof NotFound) {
      outcome = { outcome: error.name, message: error.message };
    } else if (error instanceof Unavailable) {
      // The SQLite code behind it tells a lock wait that timed out from a lost snapshot.
      const code = (error.cause as { code?: unknown } | undefined)?.code;
      outcome = { outcome: error.name, message: error.message, code: String(code) };
    } else {
      const e = error as { name?: unknown; message?: unknown };
      outcome = { outcome: "error", name: String(e.name), message: String(e.message) };
    }
  }
  const end = clock();
  const op = authorize ? { op: "authorize", scopes } : { op: "revoke" };
  process.stdout.write(`${JSON.stringify({ seq, ...op, user, team, ...outcome, start, end })}\n`);
}
await store.close();
