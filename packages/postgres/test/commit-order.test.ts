import { setTimeout as sleep } from "node:timers/promises";
import { type ConsentRecord, createTeams, type Teams } from "@teams/core";
import { admin, delegated, principal, seedWorld } from "@teams/core/testing";
import {
  type KyselyPlugin,
  type QueryId,
  type RootOperationNode,
  SelectQueryNode,
  TableNode,
} from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/index.js";
import { noPostgres, openTestStore, TEST_URL } from "./support.js";

// Issue 16 point 3: the events feed never skips a record that a slower transaction commits late.
// Two real grants interleave: the first appends its record and is then held open (its next
// statement waits on a row lock another session holds), the second appends and commits.

describe.skipIf(noPostgres)("the events feed in commit order (postgres)", () => {
  it("holds back a record a running transaction can still precede, and skips nothing", async () => {
    const store = await openTestStore();
    const locker = new pg.Client({ connectionString: TEST_URL });
    await locker.connect();
    try {
      const teams = createTeams(store);
      await seedWorld(teams);
      const schema = pg.escapeIdentifier(store.schema);
      // A refresh token of ann's through club with scopes beyond data:read: granting data:read
      // deletes it right after appending the record, which is where the locker holds the grant.
      await locker.query(
        `insert into ${schema}.refresh_tokens (token_hash, family_id, kind, user_id, team_id, scopes, expires_at, created_at)
         values ('held', 'held', 'delegated', 'ann', 'club', 'data:read data:write', '2100-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      );
      await locker.query("begin");
      await locker.query(
        `select 1 from ${schema}.refresh_tokens where token_hash = 'held' for update`,
      );
      const lockerPid = (await locker.query("select pg_backend_pid() as pid")).rows[0].pid;

      const before = await teams.listEvents(admin);
      expect(before.events).toEqual([]);

      // T1: ann's grant, its record appended, then waiting on the locked refresh token.
      const t1 = teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] });
      await untilBlockedBy(locker, lockerPid);
      // T2: ben's grant, which commits while T1 still runs.
      await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["profile"] });

      // A reader paging by id sees ben's record alone; its next page would start past ann's.
      const byId = await store.db.selectFrom("consent_log").selectAll().orderBy("id").execute();
      expect(byId.map((r) => r.user_id)).toEqual(["ben"]);
      const benId = Number(byId[0]?.id);

      // The feed answers nothing yet: ann's transaction may still commit before ben's record.
      const held = await teams.listEvents(admin, { after: before.next_cursor });
      expect(held.events).toEqual([]);
      expect(held.next_cursor).toBe(before.next_cursor);

      await locker.query("commit");
      await t1;

      // Ann's record has the smaller id though it committed last: the naive next page skips it.
      const all = await store.db.selectFrom("consent_log").selectAll().orderBy("id").execute();
      expect(all.map((r) => r.user_id)).toEqual(["ann", "ben"]);
      expect(Number(all[0]?.id)).toBeLessThan(benId);
      const naiveNext = all.filter((r) => Number(r.id) > benId);
      expect(naiveNext).toEqual([]);

      // The feed from the cursor it gave while T1 ran answers both, each once, in commit order
      // (by transaction: ann's began writing first). Read on until both came: another session of
      // the server (other tests) may hold the horizon back a moment, never make it skip.
      const { events, cursor } = await readUntil(teams, held.next_cursor, 2);
      expect(events.map(who)).toEqual(["ann granted data:read", "ben granted profile"]);
      const after = { next_cursor: cursor };
      const rest = await teams.listEvents(admin, { after: after.next_cursor });
      expect(rest.events).toEqual([]);
      expect(rest.next_cursor).toBe(after.next_cursor);
    } finally {
      await locker.end();
      await store.close();
    }
  });

  it("pages by one through interleaved writers and returns every record exactly once", async () => {
    const store = await openTestStore({ max: 8 });
    try {
      const teams = createTeams(store);
      await seedWorld(teams);
      const users = ["ann", "ben"];
      // Writers and a reader paging by one at a time, all at once; the reader reads on until it
      // has as many records as were written (a skipped one would keep it reading, and fail).
      let written: number | undefined;
      const seen: number[] = [];
      const reader = (async () => {
        let after: string | undefined;
        while (written === undefined || seen.length < written) {
          const page = await teams.listEvents(admin, { after, limit: 1 });
          seen.push(...page.events.map((e) => e.id));
          after = page.next_cursor;
        }
        const last = await teams.listEvents(admin, { after });
        seen.push(...last.events.map((e) => e.id));
      })();
      await Promise.all(
        users.map(async (user) => {
          for (let i = 0; i < 40; i++) {
            const as = delegated(user, "coach");
            if (i % 2 === 0) await teams.authorizeTeam(as, "club", { scopes: ["data:read"] });
            else await teams.revokeTeam(as, "club");
          }
        }),
      );
      const ids = (await store.db.selectFrom("consent_log").select("id").execute()).map((r) =>
        Number(r.id),
      );
      expect(ids).toHaveLength(80);
      written = ids.length;
      await reader;
      expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      await store.close();
    }
  });
});

// Two concurrent changes of one authorization (team, user). T1 takes its transaction id at its
// first row lock (its user's row, `for share`) and is then held in this process before its next
// statement; T2 starts meanwhile. Without the pair's turn (store-writes.ts), T2 would take a larger
// id, change the authorization and commit first, and T1 would then overwrite it and commit last:
// the feed, in transaction id order, would answer T1's record first though T1's change stands.
// With it T2 waits for T1's commit before its first statement, and the feed is in commit order.
describe.skipIf(noPostgres)("concurrent changes of one authorization (postgres)", () => {
  const annByCoach = delegated("ann", "coach");
  const carl = principal("carl");
  const cases: {
    name: string;
    user: string;
    /** What holds before both. */
    before?: (teams: Teams) => Promise<unknown>;
    t1: [scopes: string[] | null, run: (teams: Teams) => Promise<unknown>];
    t2: [scopes: string[] | null, run: (teams: Teams) => Promise<unknown>];
  }[] = [
    {
      name: "two grants through a delegation (read committed)",
      user: "ann",
      t1: [["data:read"], (t) => t.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] })],
      t2: [["profile"], (t) => t.authorizeTeam(annByCoach, "club", { scopes: ["profile"] })],
    },
    {
      name: "a withdrawal (read committed) and a consent (serializable)",
      user: "carl",
      before: (t) => t.consentToTeam(carl, "club", { scopes: ["profile"] }),
      t1: [null, (t) => t.withdrawConsent(carl, "club")],
      t2: [["data:read"], (t) => t.consentToTeam(carl, "club", { scopes: ["data:read"] })],
    },
  ];

  it.each(cases)("answers $name in commit order", async ({ user, before, t1, t2 }) => {
    const store = await openTestStore();
    // T2 runs on a pool of its own, named, so that the test can see it wait.
    const t2Name = `order-${store.schema}`.slice(0, 63);
    const t2Pool = new pg.Pool({ connectionString: TEST_URL, application_name: t2Name, max: 2 });
    t2Pool.on("error", () => {});
    const observer = new pg.Client({ connectionString: TEST_URL });
    await observer.connect();
    const hold = holdAfterFirstUserLock();
    try {
      const teams = createTeams(store);
      await seedWorld(teams);
      await before?.(teams);
      const start = await teams.listEvents(admin);
      const t1Teams = createTeams({ db: store.db.withPlugin(hold.plugin), kind: store.kind });
      const t2Store = await openPostgresStore({
        pool: t2Pool,
        schema: store.schema,
        migrate: false,
      });
      const t2Teams = createTeams(t2Store);

      const committed: (string[] | null)[] = [];
      const first = t1[1](t1Teams).then(() => committed.push(t1[0]));
      await hold.reached;
      let t2Done = false;
      const second = t2[1](t2Teams).then(() => {
        t2Done = true;
        committed.push(t2[0]);
      });
      const t2Waited = await waitsForTurn(observer, t2Name, () => t2Done);
      hold.release();
      await Promise.all([first, second]);
      await t2Store.close();

      const { events } = await readUntil(teams, start.next_cursor, 2);
      // The feed answers the changes in the order they committed, each after the one it replaced.
      expect(events.map((e) => e.scopes)).toEqual(committed);
      expect(events[1]?.previous_scopes).toEqual(events[0]?.scopes);
      // A receiver replaying the feed from empty ends with the scopes stored.
      const replayed = new Map<string, string[] | null>();
      for (const e of (await readUntil(teams, undefined, events.length + (before ? 1 : 0)))
        .events) {
        replayed.set(`${e.team_id} ${e.user_id}`, e.scopes);
      }
      const stored = await store.db
        .selectFrom("authorizations")
        .select("scopes")
        .where("team_id", "=", "club")
        .where("user_id", "=", user)
        .executeTakeFirst();
      expect(replayed.get(`club ${user}`)).toEqual(stored ? stored.scopes.split(" ") : null);
      // The webhook outbox, read in the same order, has them in that order too.
      const outbox = await store.db
        .selectFrom("webhook_outbox")
        .select("event_id")
        .orderBy("tx")
        .orderBy("id")
        .execute();
      expect(outbox.map((r) => Number(r.event_id)).slice(-2)).toEqual(events.map((e) => e.id));
      // Why: T2 waited for T1's turn before its first statement.
      expect(t2Waited).toBe(true);
    } finally {
      hold.release();
      await observer.end();
      await t2Pool.end();
      await store.close();
    }
  });
});

/**
 * A plugin that holds the answer of the first `select ... from users ... for share` (a write's
 * lock of its user, which assigned its transaction id) until released.
 */
function holdAfterFirstUserLock() {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = () => {};
  const reachedPromise = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let target: QueryId | undefined;
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }): RootOperationNode {
      if (target === undefined && isUserLock(node)) target = queryId;
      return node;
    },
    async transformResult({ result, queryId }) {
      if (queryId === target) {
        reached();
        await released;
      }
      return result;
    },
  };
  return { plugin, reached: reachedPromise, release };
}

function isUserLock(node: RootOperationNode): boolean {
  return (
    SelectQueryNode.is(node) &&
    (node.from?.froms ?? []).some((f) => TableNode.is(f) && f.table.identifier.name === "users") &&
    (node.endModifiers ?? []).some((m) => m.modifier === "ForShare")
  );
}

/**
 * Whether the session named `name` comes to wait for an advisory lock (true) before `done` (false).
 */
async function waitsForTurn(client: pg.Client, name: string, done: () => boolean) {
  for (;;) {
    if (done()) return false;
    const { rows } = await client.query(
      `select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
       where a.application_name = $1 and l.locktype = 'advisory' and not l.granted`,
      [name],
    );
    if (rows[0].n > 0) return true;
    await sleep(10);
  }
}

const who = (e: ConsentRecord) =>
  `${e.user_id} ${e.type.replace("authorization.", "")} ${e.scopes?.join(" ")}`;

/** The events after `after` (from the start: undefined), read on until there are `count` of them. */
async function readUntil(teams: Teams, after: string | undefined, count: number) {
  const events: ConsentRecord[] = [];
  let cursor = after;
  while (events.length < count) {
    const page = await teams.listEvents(admin, { after: cursor });
    events.push(...page.events);
    cursor = page.next_cursor;
  }
  return { events, cursor };
}

/** Waits until a session waits on a lock the locker holds (pg_locks is never cached). */
async function untilBlockedBy(locker: pg.Client, pid: number): Promise<void> {
  for (;;) {
    const { rows } = await locker.query(
      "select count(*)::int as n from pg_locks where not granted and $1 = any(pg_blocking_pids(pid))",
      [pid],
    );
    if (rows[0].n > 0) return;
    await sleep(10);
  }
}
