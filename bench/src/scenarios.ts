import { usersCursors } from "./dataset/cursors.js";
import {
  BIG_TEAM,
  FIFTY,
  FIFTY_TEAM,
  managerOf,
  READER,
  type Scale,
  teamId,
  teamsAuthorizedBy,
  userId,
} from "./dataset/shape.js";
import type { ScriptKind } from "./load/wrk.js";

/** One load of the run: what wrk sends, how hard, and what the row is called. */
export interface HttpScenario {
  key: string;
  label: string;
  kind: ScriptKind;
  lines: string[];
  connections: number;
  seconds: number;
  /** Lines made anew for each run (warm-up, measure), when a run uses up what it sends. */
  freshLines?: () => Promise<string[]>;
}

type Mint = (sub: string, azp?: string) => Promise<string>;

const get = (path: string, token: string) => `GET\t${path}\t${token}\t`;

/** Tokens of the readers: the first 50 users, who each authorized 10 teams (9 on the small set). */
async function readerTokens(mint: Mint): Promise<string[]> {
  return Promise.all(Array.from({ length: FIFTY }, (_, n) => mint(userId(n))));
}

export interface ScenarioOptions {
  scale: Scale;
  mint: Mint;
  /** The data set's file, to read cursors from. */
  filename: string;
  seconds: number;
}

/** The reads measured on both data sets (the scale comparison pairs them by key). */
export async function readScenarios(o: ScenarioOptions): Promise<HttpScenario[]> {
  const readers = await readerTokens(o.mint);
  const owner = await o.mint(userId(READER));
  const biggest = o.scale.users;
  // Pages of 50 of the team every user authorized: the first, and then at depths spread over the
  // whole team (up to its last page).
  const depths = Array.from({ length: 20 }, (_, k) => Math.floor(((k + 1) * (biggest - 50)) / 20));
  const cursors = usersCursors(o.filename, BIG_TEAM, depths);
  const s = o.seconds;
  return [
    {
      key: "rest-authorized",
      label: "REST GET /api/v1/teams/authorized (10 teams)",
      kind: "rotate",
      lines: readers.map((t) => get("/api/v1/teams/authorized", t)),
      connections: 50,
      seconds: s,
    },
    {
      key: "trpc-authorized",
      label: "tRPC teams.authorized (httpBatchLink GET)",
      kind: "rotate",
      lines: readers.map((t) => get("/trpc/teams.authorized?batch=1&input=%7B%7D", t)),
      connections: 50,
      seconds: s,
    },
    {
      key: "rest-users-50",
      label: "REST GET /api/v1/teams/{id}/users, team of 50",
      kind: "rotate",
      lines: [get(`/api/v1/teams/${FIFTY_TEAM}/users`, owner)],
      connections: 50,
      seconds: s,
    },
    {
      key: "rest-page-first",
      label: `REST users ?limit=50, first page of the team of ${biggest.toLocaleString("en-US")}`,
      kind: "rotate",
      lines: [get(`/api/v1/teams/${BIG_TEAM}/users?limit=50`, owner)],
      connections: 50,
      seconds: s,
    },
    {
      key: "rest-page-deep",
      label: `REST users ?limit=50&cursor=, 20 depths to the last page`,
      kind: "rotate",
      lines: cursors.map((c) => get(`/api/v1/teams/${BIG_TEAM}/users?limit=50&cursor=${c}`, owner)),
      connections: 50,
      seconds: s,
    },
  ];
}

/** What only the large data set runs: latency at 10 connections, the whole big team, writes. */
export async function largeOnlyScenarios(o: ScenarioOptions): Promise<HttpScenario[]> {
  const readers = await readerTokens(o.mint);
  const owner = await o.mint(userId(READER));
  const s = o.seconds;
  // Write pairs: 100 managed users, each with its manager's delegated token, and 50 teams it had
  // not authorized: 5,000 (user, team) pairs in turn.
  const writeLines: string[] = [];
  for (let k = 0; k < 100; k++) {
    const n = o.scale.users - 1 - k;
    const manager = managerOf(o.scale, n);
    if (manager === null) throw new Error("writers must be managed users");
    const token = await o.mint(userId(n), userId(manager));
    const taken = new Set(teamsAuthorizedBy(o.scale, n));
    let added = 0;
    for (let t = 2; added < 50 && t < o.scale.teams; t++) {
      if (taken.has(t)) continue;
      writeLines.push(`/api/v1/teams/${teamId(t)}/authorize\t${token}\t${userId(n)}\t${teamId(t)}`);
      added++;
    }
  }
  return [
    {
      key: "rest-authorized-c10",
      label: "REST GET /api/v1/teams/authorized, 10 connections",
      kind: "rotate",
      lines: readers.map((t) => get("/api/v1/teams/authorized", t)),
      connections: 10,
      seconds: s,
    },
    {
      key: "trpc-authorized-c10",
      label: "tRPC teams.authorized, 10 connections",
      kind: "rotate",
      lines: readers.map((t) => get("/trpc/teams.authorized?batch=1&input=%7B%7D", t)),
      connections: 10,
      seconds: s,
    },
    {
      key: "rest-users-whole",
      label: `REST GET /api/v1/teams/{id}/users, whole team of ${o.scale.users.toLocaleString("en-US")}`,
      kind: "rotate",
      lines: [get(`/api/v1/teams/${BIG_TEAM}/users`, owner)],
      // One client at a time: each answer is 14 MB of JSON.
      connections: 1,
      seconds: s,
    },
    {
      key: "rest-write-pairs",
      label: "REST POST then DELETE /api/v1/teams/{id}/authorize (synchronous=FULL)",
      kind: "write-pairs",
      lines: writeLines,
      connections: 50,
      seconds: s,
    },
  ];
}

/** A mixed load for the soak: the reads, the access check's neighbours and writes, in turn. */
export function soakLines(reads: HttpScenario[]): string[] {
  return reads.flatMap((r) => r.lines.slice(0, 10));
}
