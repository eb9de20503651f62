import { setTimeout as sleep } from "node:timers/promises";
import { type ConsentRecord, createTeams, type Teams } from "@teams/core";
import { admin, delegated, seedWorld } from "@teams/core/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
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

const who = (e: ConsentRecord) =>
  `${e.user_id} ${e.type.replace("authorization.", "")} ${e.scopes?.join(" ")}`;

/** The events after `after`, read on until there are `count` of them. */
async function readUntil(teams: Teams, after: string, count: number) {
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
