// In-process figures: the core over the SQLite store, no HTTP. Run as a child of the harness so
// that its heap and its compiled code are its own. Usage: run.js <database file> <scale name>.
// Prints one JSON line: { results: InProcessResult[] }.
import { createTeams, type Principal, parseLines } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import {
  FIFTY,
  LARGE,
  managerOf,
  READER,
  SMALL,
  teamId,
  teamsAuthorizedBy,
  userId,
} from "../dataset/shape.js";

export interface InProcessResult {
  name: string;
  scale: string;
  rate: number;
  /** Median time of one call, microseconds. */
  p50us: number;
  p99us: number;
}

const [filename, scaleName] = process.argv.slice(2);
const scale = scaleName === "small" ? SMALL : LARGE;
if (!filename) throw new Error("usage: run.js <database file> <large|small>");
const seconds = Number(process.env.BENCH_INPROCESS_SECONDS ?? 3);

const principal = (id: string, azp?: string): Principal => ({
  userId: id,
  authorizedParty: azp ?? null,
  scopes: ["data:read", "data:write", "profile"],
});

/** Calls `fn` back to back for `seconds` (after a short warm-up), one at a time or `parallel` at once. */
async function measure(
  name: string,
  fn: (i: number) => Promise<unknown>,
  parallel = 1,
): Promise<InProcessResult> {
  const run = async (ms: number, times: number[] | undefined) => {
    const deadline = performance.now() + ms;
    let count = 0;
    const worker = async (w: number) => {
      for (let i = w; performance.now() < deadline; i += parallel) {
        const started = performance.now();
        await fn(i);
        times?.push(performance.now() - started);
        count++;
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
    return count / ((performance.now() - began) / 1000);
  };
  await run(500, undefined);
  const times: number[] = [];
  const rate = await run(seconds * 1000, times);
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 1000;
  return { name, scale: scale.name, rate, p50us: at(0.5), p99us: at(0.99) };
}

const store = await openSqliteStore({ filename });
const teams = createTeams(store);
const results: InProcessResult[] = [];

// Readers: the first 50 users, who authorized 10 teams each. The member asking canAccess is the
// reader, who owns the big team every user authorized.
const readers = Array.from({ length: FIFTY }, (_, n) => principal(userId(n)));
const member = principal(userId(READER));
results.push(
  await measure("canAccess", (i) =>
    teams.canAccess(member, { userId: userId(i % FIFTY), scope: "data:read" }),
  ),
);
results.push(
  // Read as values, as an embedder reads the list (one parse of its lines).
  await measure("listAuthorizedTeams", async (i) =>
    parseLines((await teams.listAuthorizedTeams(readers[i % FIFTY] as Principal)).lines),
  ),
);

if (scale === LARGE) {
  // Managed users authorize teams they had not: a manager's delegated token, one user at a time,
  // then 50 at once (the transactions that arrive together share a COMMIT).
  const writers = Array.from({ length: 100 }, (_, k) => {
    const n = scale.users - 1 - k;
    const manager = managerOf(scale, n);
    if (manager === null) throw new Error("the writer must be a managed user");
    const taken = new Set(teamsAuthorizedBy(scale, n));
    const team = Array.from({ length: scale.teams }, (_, t) => t).find(
      (t) => !taken.has(t) && t > 1,
    );
    return { p: principal(userId(n), userId(manager)), team: teamId(team ?? 2) };
  });
  const authorize = (i: number) => {
    const w = writers[i % writers.length] as (typeof writers)[number];
    return teams.authorizeTeam(w.p, w.team, {
      scopes: i % 2 === 0 ? ["data:read"] : ["data:read", "profile"],
    });
  };
  results.push(await measure("authorizeTeam", authorize));
  results.push(await measure("authorizeTeam, 50 at once", authorize, 50));
}

await store.close();
process.stdout.write(`${JSON.stringify({ results })}\n`);
