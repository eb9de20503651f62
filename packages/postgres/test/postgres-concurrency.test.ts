import {
  createTeams,
  Forbidden,
  GRANTABLE_SCOPES,
  NotFound,
  type Teams,
  Unavailable,
} from "@teams/core";
import { admin, delegated, principal, teamBody } from "@teams/core/testing";
import { describe, expect, it } from "vitest";
import { openPostgresStore, type PostgresStore } from "../src/index.js";
import { dropSchema, freshSchema, noPostgres, TEST_URL } from "./support.js";

const POOLS = 8;
const WORKERS_PER_POOL = 4;
const OPERATIONS = 400;
const DEMOTION_ROUNDS = 30;
const SEED = Number(process.env.TEAMS_TEST_SEED ?? 20260101);

/** A small seeded generator (mulberry32), so a failing run can be replayed with TEAMS_TEST_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = "ok" | "Forbidden" | "NotFound" | "Unavailable";

/** Why requests were answered Unavailable (the SQLSTATE of the last attempt), for the summary. */
const unavailableCauses = new Map<string, number>();

/** The typed outcome of a use case; anything else (a raw pg error, a bug) is rethrown to fail the test. */
async function outcome<T>(run: () => Promise<T>): Promise<{ outcome: Outcome; value?: T }> {
  try {
    return { outcome: "ok", value: await run() };
  } catch (error) {
    if (error instanceof Unavailable) {
      const cause = error.cause as { code?: string; message?: string } | undefined;
      const key = cause?.code ?? cause?.message ?? "?";
      unavailableCauses.set(key, (unavailableCauses.get(key) ?? 0) + 1);
      return { outcome: "Unavailable" };
    }
    if (error instanceof NotFound) return { outcome: "NotFound" };
    if (error instanceof Forbidden) return { outcome: "Forbidden" };
    throw error;
  }
}

interface Op {
  pair: string;
  kind: "authorize" | "revoke";
  /** The state the operation leaves when it succeeds: the scope set, or null (no authorization). */
  effect: string[] | null;
  start: number;
  end: number;
  outcome: Outcome;
}

const USERS = ["m0", "m1"];
const TEAMS = ["t0", "t1"];
const pairOf = (user: string, team: string) => `${user}/${team}`;

describe.skipIf(noPostgres)(
  `${POOLS} pools x ${WORKERS_PER_POOL} clients writing the same rows at once`,
  () => {
    it(`${OPERATIONS} authorizations and revocations of ${USERS.length * TEAMS.length} pairs, and ${DEMOTION_ROUNDS} rounds of owners demoting at once`, async () => {
      const schema = freshSchema();
      const stores: PostgresStore[] = [];
      try {
        for (let i = 0; i < POOLS; i++) {
          stores.push(await openPostgresStore({ url: TEST_URL, schema, max: WORKERS_PER_POOL }));
        }
        const apis: Teams[] = stores.map((s) => createTeams(s));
        const setup = apis[0] as Teams;
        await setup.adminPutUser(admin, "coach", { first_name: "Cora", last_name: "Coach" });
        for (const user of USERS) await setup.adminPutUser(admin, user, { manager_id: "coach" });
        for (const team of TEAMS) await setup.adminPutTeam(admin, team, teamBody(team));
        for (const id of ["o1", "o2"]) await setup.adminPutUser(admin, id, {});
        await setup.adminPutTeam(admin, "duo", teamBody("Duo"));

        const ops: Op[] = [];
        // Every pair starts authorized, by an operation that ended before any other began.
        for (const user of USERS) {
          for (const team of TEAMS) {
            const start = performance.now();
            await setup.authorizeTeam(delegated(user, "coach"), team, { scopes: ["profile"] });
            const pair = pairOf(user, team);
            ops.push({
              pair,
              kind: "authorize",
              effect: ["profile"],
              start,
              end: performance.now(),
              outcome: "ok",
            });
          }
        }

        const rand = random(SEED);
        let issued = 0;
        async function worker(teams: Teams) {
          while (issued < OPERATIONS) {
            issued++;
            const user = USERS[Math.floor(rand() * USERS.length)] as string;
            const team = TEAMS[Math.floor(rand() * TEAMS.length)] as string;
            const scopes = GRANTABLE_SCOPES.filter(() => rand() < 0.5);
            const revoke = rand() < 0.4 || scopes.length === 0;
            const p = delegated(user, "coach");
            const start = performance.now();
            const result = revoke
              ? await outcome(() => teams.revokeTeam(p, team))
              : await outcome(() => teams.authorizeTeam(p, team, { scopes }));
            const end = performance.now();
            const effect = revoke ? null : [...(result.value?.scopes ?? [])];
            ops.push({
              pair: pairOf(user, team),
              kind: revoke ? "revoke" : "authorize",
              effect,
              start,
              end,
              outcome: result.outcome,
            });
          }
        }

        const rounds: { kind: string; outcomes: Outcome[]; owners: number }[] = [];
        async function demotions() {
          const owner = (n: number) => apis[n % apis.length] as Teams;
          const [o1, o2] = [principal("o1"), principal("o2")];
          for (let round = 0; round < DEMOTION_ROUNDS; round++) {
            await setup.adminPutMember(admin, "duo", "o1", { role: "owner" });
            await setup.adminPutMember(admin, "duo", "o2", { role: "owner" });
            const kind = ["each other", "themselves", "leave"][round % 3] as string;
            const [a, b] = [owner(round), owner(round + 1)];
            const attempts =
              kind === "each other"
                ? [
                    () => a.putMember(o1, "duo", "o2", { role: "member" }),
                    () => b.putMember(o2, "duo", "o1", { role: "member" }),
                  ]
                : kind === "themselves"
                  ? [
                      () => a.putMember(o1, "duo", "o1", { role: "member" }),
                      () => b.putMember(o2, "duo", "o2", { role: "member" }),
                    ]
                  : [() => a.removeMember(o1, "duo", "o1"), () => b.removeMember(o2, "duo", "o2")];
            const results = await Promise.all(
              attempts.map((run) => outcome(run as () => Promise<unknown>)),
            );
            const owners =
              (
                await stores[0]?.db
                  .selectFrom("memberships")
                  .select("user_id")
                  .where("team_id", "=", "duo")
                  .where("role", "=", "owner")
                  .execute()
              )?.length ?? 0;
            rounds.push({ kind, outcomes: results.map((r) => r.outcome), owners });
          }
        }

        const started = performance.now();
        await Promise.all([
          ...apis.flatMap((teams) => Array.from({ length: WORKERS_PER_POOL }, () => worker(teams))),
          demotions(),
        ]);
        const seconds = (performance.now() - started) / 1000;

        // Authorize: only Unavailable may refuse it (the team exists, the delegation is valid).
        // Revoke: NotFound when nothing was authorized at that moment, or Unavailable.
        for (const op of ops) {
          const allowed =
            op.kind === "authorize" ? ["ok", "Unavailable"] : ["ok", "NotFound", "Unavailable"];
          expect(allowed, JSON.stringify(op)).toContain(op.outcome);
        }

        // The final state of each pair is the effect of an acknowledged operation that could have
        // been the last one: no acknowledged operation on that pair started after it ended.
        for (const user of USERS) {
          for (const team of TEAMS) {
            const pair = pairOf(user, team);
            const acknowledged = ops.filter((o) => o.pair === pair && o.outcome === "ok");
            const candidates = acknowledged.filter(
              (x) => !acknowledged.some((y) => y !== x && y.start > x.end),
            );
            const row = await stores[0]?.db
              .selectFrom("authorizations")
              .select("scopes")
              .where("user_id", "=", user)
              .where("team_id", "=", team)
              .executeTakeFirst();
            const final = row ? row.scopes.split(" ") : null;
            expect(
              candidates.map((c) => c.effect),
              `${pair}: final state ${JSON.stringify(final)}`,
            ).toContainEqual(final);
          }
        }

        // Two owners acting at once never leave the team without an owner: at most one succeeds.
        for (const round of rounds) {
          for (const o of round.outcomes) expect(["ok", "Forbidden", "Unavailable"]).toContain(o);
          const succeeded = round.outcomes.filter((o) => o === "ok").length;
          expect(succeeded, JSON.stringify(round)).toBeLessThanOrEqual(1);
          expect(round.owners, JSON.stringify(round)).toBe(2 - succeeded);
        }

        const count = (list: { outcome: Outcome }[], o: Outcome) =>
          list.filter((x) => x.outcome === o).length;
        const storm = ops.slice(USERS.length * TEAMS.length);
        const demotionOutcomes = rounds.flatMap((r) => r.outcomes.map((outcome) => ({ outcome })));
        console.log(
          `concurrency (seed ${SEED}): ${storm.length} operations in ${seconds.toFixed(1)}s: ` +
            `${count(storm, "ok")} ok, ${count(storm, "NotFound")} NotFound, ${count(storm, "Unavailable")} Unavailable; ` +
            `${rounds.length} demotion rounds: ${count(demotionOutcomes, "ok")} ok, ${count(demotionOutcomes, "Forbidden")} Forbidden, ` +
            `${count(demotionOutcomes, "Unavailable")} Unavailable; ` +
            `Unavailable causes: ${JSON.stringify(Object.fromEntries(unavailableCauses))}`,
        );
        expect(storm).toHaveLength(OPERATIONS);
        // The test is only worth something if most operations got through.
        expect(count(storm, "ok")).toBeGreaterThan(OPERATIONS / 2);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(schema);
      }
    }, 60_000);
  },
);
