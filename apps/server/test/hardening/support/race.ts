import { isDeepStrictEqual } from "node:util";
import { createTeams, type Database, type StoreKind } from "@teams/core";
import fc from "fast-check";
import type {
  Kysely,
  KyselyPlugin,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import { type Observed, runOp } from "./core-ops.js";
import {
  apply,
  cloneState,
  describeOp,
  emptyState,
  type ModelState,
  modelRows,
  type Op,
  type Role,
} from "./model.js";
import { clearRows, orphans, storeRows } from "./stores.js";
import { scopeSet, teamOf } from "./world.js";

// The race suite's world and operations. A fixed, small cast (so that operations collide): two
// managers with their managed users, a regular user, two teams. Each round launches a few writes at
// once; fast-check's scheduler decides when each starts and, through a Kysely plugin, when each
// query's result is handed back, so transactions interleave in orders a test would never pick.

const MANAGERS = ["coach", "kim"] as const;
const MANAGED: Record<string, (typeof MANAGERS)[number]> = { m1: "coach", m2: "coach", m3: "kim" };
const REGULAR = "rita";
const TEAMS = ["club", "crew"] as const;
const USERS = [...MANAGERS, ...Object.keys(MANAGED), REGULAR];

const seedOps: Op[] = [
  ...MANAGERS.map((id): Op => ({ kind: "putUser", id, first: id, last: null, manager: null })),
  ...Object.entries(MANAGED).map(
    ([id, manager]): Op => ({ kind: "putUser", id, first: id, last: "M", manager }),
  ),
  { kind: "putUser", id: REGULAR, first: "Rita", last: null, manager: null },
  { kind: "putTeam", team: teamOf("club", "Club") },
  { kind: "putTeam", team: teamOf("crew", "Crew") },
  { kind: "putMember", team: "club", user: "coach", role: "owner" },
  { kind: "putMember", team: "crew", user: "kim", role: "owner" },
  { kind: "putMember", team: "club", user: "kim", role: "member" },
];

const allScopes = ["data:read", "data:write", "profile"] as const;
const team = fc.constantFrom(...TEAMS);
const managedUser = fc.constantFrom(...Object.keys(MANAGED));
const anyUser = fc.constantFrom(...USERS);

/** The writes the issue names: authorize, change scopes, revoke, add and remove member, delete team, delete user; and re-creations, so deleted things come back and must come back empty. */
export const raceOp: fc.Arbitrary<Op> = fc.oneof(
  // authorize, or change the scopes of an existing authorization (same call, another set)
  {
    weight: 4,
    arbitrary: fc.record({ user: managedUser, team, scopes: scopeSet }).map(
      ({ user, team, scopes }): Op => ({
        kind: "authorize",
        token: { sub: user, azp: MANAGED[user] ?? null, scopes: allScopes },
        team,
        scopes,
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record({ user: managedUser, team }).map(
      ({ user, team }): Op => ({
        kind: "revoke",
        token: { sub: user, azp: MANAGED[user] ?? null, scopes: allScopes },
        team,
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ team, scopes: scopeSet })
      .map(({ team, scopes }): Op => ({ kind: "consent", user: REGULAR, team, scopes })),
  },
  { weight: 1, arbitrary: team.map((team): Op => ({ kind: "withdraw", user: REGULAR, team })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ team, user: anyUser, role: fc.constantFrom<Role>("owner", "member") })
      .map((m): Op => ({ kind: "putMember", ...m })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ team, user: anyUser }).map((m): Op => ({ kind: "deleteMember", ...m })),
  },
  { weight: 1, arbitrary: team.map((team): Op => ({ kind: "deleteTeam", team })) },
  {
    weight: 1,
    arbitrary: team.map((id): Op => ({ kind: "putTeam", team: teamOf(id, id.toUpperCase()) })),
  },
  { weight: 1, arbitrary: anyUser.map((user): Op => ({ kind: "deleteUser", user })) },
  {
    weight: 1,
    arbitrary: anyUser.map(
      (id): Op => ({ kind: "putUser", id, first: id, last: null, manager: MANAGED[id] ?? null }),
    ),
  },
);

export const rounds = fc.array(fc.array(raceOp, { minLength: 2, maxLength: 5 }), {
  minLength: 3,
  maxLength: 8,
});

/** Hands every query result back through the scheduler: each one is a point where others may run. */
class SchedulerPlugin implements KyselyPlugin {
  constructor(
    readonly s: fc.Scheduler,
    readonly counts: RaceCounts,
  ) {}
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.counts.yields += 1;
    await this.s.schedule(Promise.resolve(), "query result");
    return args.result;
  }
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

export interface RaceCounts {
  runs: number;
  rounds: number;
  ops: number;
  /** Rounds whose only explaining order differs from the order the writes were launched in. */
  reordered: number;
  /** Query results handed back through the scheduler (points where another write could run). */
  yields: number;
  outcomes: Record<string, number>;
  /** Unavailable answers (PostgreSQL, retries exhausted), by message. */
  unavailable: Record<string, number>;
}

export const newCounts = (): RaceCounts => ({
  runs: 0,
  rounds: 0,
  ops: 0,
  reordered: 0,
  yields: 0,
  outcomes: {},
  unavailable: {},
});

/**
 * One generated run: the seed world, then each round's writes at once under the scheduler. After
 * every round, some order of that round's writes must explain both every answer and the store's
 * rows exactly (the round is linearizable against the model); the model moves on in that order.
 */
export async function raceRun(
  { db, kind }: { db: Kysely<Database>; kind: StoreKind },
  s: fc.Scheduler,
  plan: Op[][],
  counts: RaceCounts,
  options: { unavailableAllowed: boolean },
): Promise<void> {
  await clearRows(db);
  let model: ModelState = emptyState();
  const plain = createTeams({ db, kind });
  for (const op of seedOps) {
    const expected = apply(model, op);
    const observed = await runOp(plain, op);
    if (!isDeepStrictEqual(observed, expected)) throw new Error(`seed ${describeOp(op)} failed`);
  }
  const teams = createTeams({ db: db.withPlugin(new SchedulerPlugin(s, counts)), kind });
  counts.runs += 1;
  for (const [r, ops] of plan.entries()) {
    const launched = ops.map((op, i) =>
      s.schedule(Promise.resolve(i), `launch ${i}`).then(() => runOp(teams, op)),
    );
    const observed: Observed[] = await s.waitFor(Promise.all(launched));
    counts.rounds += 1;
    counts.ops += ops.length;
    observed.forEach((o) => {
      counts.outcomes[o.kind] = (counts.outcomes[o.kind] ?? 0) + 1;
      if (o.kind === "unavailable")
        counts.unavailable[o.message] = (counts.unavailable[o.message] ?? 0) + 1;
    });
    const failed = observed.findIndex((o) => o.kind === "unavailable");
    if (failed !== -1 && !options.unavailableAllowed) {
      throw new Error(`round ${r}: ${describeOp(ops[failed] as Op)} answered Unavailable (503)`);
    }
    // Unavailable changed nothing: it takes no place in the order.
    const done = ops
      .map((op, i) => ({ op, i }))
      .filter(({ i }) => observed[i]?.kind !== "unavailable");
    const rows = await storeRows(db);
    let explained: ModelState | undefined;
    let order: number[] = [];
    for (const candidate of permutations(done)) {
      const next = cloneState(model);
      if (
        candidate.every(({ op, i }) => isDeepStrictEqual(apply(next, op), observed[i])) &&
        isDeepStrictEqual(modelRows(next), rows)
      ) {
        explained = next;
        order = candidate.map(({ i }) => i);
        break;
      }
    }
    if (!explained) {
      const lines = ops.map((op, i) => `  ${describeOp(op)} -> ${JSON.stringify(observed[i])}`);
      throw new Error(
        `round ${r}: no order of these concurrent writes explains the answers and the store:\n${lines.join("\n")}\nstore: ${JSON.stringify(rows)}\nmodel before: ${JSON.stringify(modelRows(model))}`,
      );
    }
    if (order.some((i, k) => i !== done[k]?.i)) counts.reordered += 1;
    model = explained;
  }
  const left = await orphans(db);
  if (left.length > 0) throw new Error(`orphan rows: ${left.join(", ")}`);
}
