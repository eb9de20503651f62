import { join } from "node:path";
import { createTeams, messages } from "@teams/core";
import { admin, teamBody } from "@teams/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { Child, killRunningChildren } from "./support/child-process.js";
import {
  inspectFile,
  pairKey,
  readAuthorizations,
  removeTempDirs,
  scopeSetKey,
  tempDir,
} from "./support/database-file.js";

// Two OS processes authorize and revoke on the same pairs of one database file at once. Whatever
// the interleaving, every answer must be one a serial execution could give, and the file must end
// in a state some serial order consistent with real time leads to.

const MANAGER = "coach";
const USERS = ["m1", "m2", "m3", "m4", "m5", "m6"];
const TEAMS = ["t1", "t2", "t3"];
// Few pairs, so that both processes keep hitting the same rows.
const PAIRS: [string, string][] = [
  ["m1", "t1"],
  ["m1", "t2"],
  ["m2", "t1"],
  ["m3", "t2"],
  ["m4", "t3"],
  ["m5", "t3"],
  ["m6", "t1"],
  ["m6", "t3"],
];
const OPS_PER_PROCESS = 300;

interface LoggedOp {
  proc: number;
  seq: number;
  op: "authorize" | "revoke";
  user: string;
  team: string;
  scopes?: string[];
  outcome: "ok" | "NotFound" | "Unavailable" | "error";
  answer?: { team_id: string; user_id: string; scopes: string[] };
  name?: string;
  message?: string;
  /** For Unavailable: the SQLite error code behind it. */
  code?: string;
  start: bigint;
  end: bigint;
}

/** What an acknowledged operation leaves behind: a scope set, or null for no authorization. */
const effect = (op: LoggedOp): string | null =>
  op.op === "authorize" ? scopeSetKey(op.scopes ?? []) : null;

/** Ok and NotFound are acknowledged answers; Unavailable promised that nothing happened. */
const acknowledged = (op: LoggedOp) => op.outcome === "ok" || op.outcome === "NotFound";

/**
 * The states one pair can end in over all linearizations of two sequential histories: an operation
 * may take effect next unless an operation still pending ended before it started, and each answer
 * must match the state it saw (a revoke returns what was there, or NotFound when nothing was).
 * Each process's operations are sequential, so (position in each history, state) is the whole search.
 */
function linearizableFinalStates(a: LoggedOp[], b: LoggedOp[]): Set<string | null> {
  const finals = new Set<string | null>();
  const seen = new Set<string>();
  const stack: [number, number, string | null][] = [[0, 0, null]];
  const apply = (op: LoggedOp, state: string | null): string | null | undefined => {
    if (op.op === "authorize") return effect(op);
    if (op.outcome === "NotFound") return state === null ? null : undefined;
    return state !== null && state === scopeSetKey(op.answer?.scopes ?? []) ? null : undefined;
  };
  while (stack.length > 0) {
    const [i, j, state] = stack.pop() ?? [0, 0, null];
    const key = `${i}/${j}/${state}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) finals.add(state);
    const x = a[i];
    const y = b[j];
    if (x && !(y && y.end < x.start)) {
      const next = apply(x, state);
      if (next !== undefined) stack.push([i + 1, j, next]);
    }
    if (y && !(x && x.end < y.start)) {
      const next = apply(y, state);
      if (next !== undefined) stack.push([i, j + 1, next]);
    }
  }
  return finals;
}

async function seed(filename: string) {
  const store = await openSqliteStore({ filename });
  const teams = createTeams(store);
  await teams.adminPutUser(admin, MANAGER, { first_name: "Cora", last_name: "Coach" });
  for (const user of USERS) {
    await teams.adminPutUser(admin, user, {
      first_name: user,
      last_name: null,
      manager_id: MANAGER,
    });
  }
  for (const team of TEAMS) await teams.adminPutTeam(admin, team, teamBody(`Team ${team}`));
  await store.close();
}

async function runTwoWriters(busyTimeout: string) {
  const filename = join(tempDir(), "teams.db");
  await seed(filename);
  const seeds = [1, 2].map(() => Math.floor(Math.random() * 2 ** 31));
  const children = seeds.map(
    (s) =>
      new Child("random-authorizer.ts", [
        filename,
        busyTimeout,
        String(s),
        String(OPS_PER_PROCESS),
        MANAGER,
        JSON.stringify(PAIRS),
      ]),
  );
  // Released together once both have loaded and opened the store.
  await Promise.all(children.map((c) => c.waitForLine((l) => l === "ready")));
  for (const c of children) {
    c.send("go");
    c.process.stdin.end();
  }
  const exits = await Promise.all(children.map((c) => c.exited));
  exits.forEach((exit, i) => {
    expect(exit, children[i]?.stderr).toEqual({ code: 0, signal: null });
  });

  const histories = children.map((child, proc) =>
    child.lines
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        const raw = JSON.parse(l) as Omit<LoggedOp, "proc" | "start" | "end"> & {
          start: string;
          end: string;
        };
        return { ...raw, proc, start: BigInt(raw.start), end: BigInt(raw.end) } as LoggedOp;
      }),
  );
  const all = histories.flat();
  const context = `seeds ${seeds.join(", ")}, busy timeout ${busyTimeout}`;
  expect(all.length, context).toBe(2 * OPS_PER_PROCESS);

  // Only three outcomes exist; a revoke finds nothing to revoke, never a missing team.
  const unexpected = all.filter(
    (o) =>
      !(
        o.outcome === "ok" ||
        o.outcome === "Unavailable" ||
        (o.outcome === "NotFound" &&
          o.op === "revoke" &&
          o.message === messages.authorizationNotFound)
      ),
  );
  expect(unexpected, context).toEqual([]);
  // With IMMEDIATE transactions a write is refused only after waiting the whole busy timeout for
  // the lock, never at once because another process wrote since it read (a lost snapshot).
  const timeoutNs =
    BigInt((busyTimeout === "default" ? 5000 : Number(busyTimeout)) - 1) * 1_000_000n;
  const hasty = all.filter(
    (o) =>
      o.outcome === "Unavailable" &&
      (o.code === "SQLITE_BUSY_SNAPSHOT" || o.end - o.start < timeoutNs),
  );
  expect(hasty, context).toEqual([]);
  for (const o of all.filter((x) => x.outcome === "ok")) {
    expect(o.answer?.user_id, context).toBe(o.user);
    expect(o.answer?.team_id, context).toBe(o.team);
    if (o.op === "authorize") expect(scopeSetKey(o.answer?.scopes ?? []), context).toBe(effect(o));
  }

  // The test means something only if both processes got through and their operations overlapped.
  for (const h of histories) expect(h.filter(acknowledged).length, context).toBeGreaterThan(0);
  const [first = [], second = []] = histories;
  let overlapping = 0;
  for (const x of first)
    for (const y of second) if (x.start < y.end && y.start < x.end) overlapping++;
  expect(overlapping, context).toBeGreaterThan(0);

  const final = readAuthorizations(filename);
  const pairKeys = new Set(PAIRS.map(([u, t]) => pairKey(u, t)));
  expect(
    [...final.keys()].filter((k) => !pairKeys.has(k)),
    context,
  ).toEqual([]);

  for (const [user, team] of PAIRS) {
    const key = pairKey(user, team);
    const state = final.get(key) ?? null;
    const onPair = (h: LoggedOp[]) =>
      h.filter((o) => acknowledged(o) && o.user === user && o.team === team);
    const acked = [...onPair(first), ...onPair(second)];
    // Could have been last: no other acknowledged operation on the pair started after it ended.
    const couldBeLast = acked.filter((x) => !acked.some((y) => y !== x && y.start > x.end));
    const possible = acked.length === 0 ? [null] : couldBeLast.map(effect);
    expect(possible, `${key}: stored state is no possible last write (${context})`).toContain(
      state,
    );
    // Stronger: the answers too fit one serial order, and that order ends in the stored state.
    const finals = [...linearizableFinalStates(onPair(first), onPair(second))];
    expect(finals, `${key}: no serial order explains answers and state (${context})`).toContain(
      state,
    );
  }
  expect(inspectFile(filename).integrity).toBe("ok");

  const count = (outcome: LoggedOp["outcome"]) => all.filter((o) => o.outcome === outcome).length;
  const codes = [...new Set(all.map((o) => o.code).filter((c) => c !== undefined))];
  console.info(
    `two writers, busy timeout ${busyTimeout}: ${all.length} operations, ${count("ok")} ok, ` +
      `${count("NotFound")} NotFound, ${count("Unavailable")} Unavailable ${JSON.stringify(codes)}, ` +
      `${overlapping} overlapping cross-process pairs, final ${final.size} authorizations`,
  );
}

describe("two processes writing one file at once", () => {
  afterEach(async () => {
    await killRunningChildren();
    removeTempDirs();
  });

  it(
    "with a 50 ms busy timeout: ok, NotFound or Unavailable, and a serializable end state",
    () => runTwoWriters("50"),
    60_000,
  );

  it("with the default busy timeout: the same guarantees", () => runTwoWriters("default"), 60_000);
});
