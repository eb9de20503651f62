import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readConsentLog } from "../consent-log-queries.js";
import { Forbidden, Invalid, NotAuthenticated, TeamsError } from "../errors.js";
import type { ConsentRecord } from "../schemas.js";
import { createTeams, type HistoryRetention, type Teams } from "../teams.js";
import { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
import type { StoreConformanceOptions, StoreUnderTest } from "./store-under-test.js";

/**
 * The events feed (DESIGN §7, issue 16 point 3) against a store: read page by page from the start,
 * with any page size, it answers every record of the consent log exactly once and in log order
 * (one writer at a time here: commit order is the order of the ids); an empty page gives back its
 * cursor; a user's records deleted with the user never make the feed repeat or lose another's.
 * The late commit it never skips is PostgreSQL's own test. `runStoreConformance` includes it.
 */
export function runEventsConformance(options: StoreConformanceOptions): void {
  async function withTeams(
    fn: (teams: Teams, store: StoreUnderTest) => Promise<void>,
    historyRetention: HistoryRetention = "keep",
  ) {
    const store = await options.open();
    try {
      const teams = createTeams({ db: store.db, kind: store.kind, historyRetention });
      await seedWorld(teams);
      await fn(teams, store);
    } finally {
      await store.close();
    }
  }

  /**
   * The events after `after`, read `limit` at a time until `count` came, then one more page,
   * which must be empty and give back its cursor. On PostgreSQL a page may hold fewer than there
   * are, even none, while another session of the server runs an older transaction (the horizon,
   * commit-order.ts): the feed lags then, and this reads on.
   */
  async function readAll(teams: Teams, limit: number, count: number, after?: string) {
    const events: ConsentRecord[] = [];
    let cursor = after;
    while (events.length < count) {
      const page = await teams.listEvents(admin, { after: cursor, limit });
      expect(page.events.length).toBeLessThanOrEqual(limit);
      events.push(...page.events);
      if (page.events.length === 0 && cursor !== undefined) expect(page.next_cursor).toBe(cursor);
      cursor = page.next_cursor;
    }
    const last = await teams.listEvents(admin, { after: cursor, limit });
    // Past the end: nothing, and the cursor asked with (a cursor of the start without one).
    expect(last).toEqual({ events: [], next_cursor: cursor ?? expect.any(String) });
    return { events, cursor: last.next_cursor };
  }

  const users = ["ann", "ben"] as const;
  const operation = fc.oneof(
    fc.record({
      kind: fc.constant("grant" as const),
      user: fc.constantFrom(...users),
      scopes: fc.subarray(["data:read", "data:write", "profile"], { minLength: 1 }),
    }),
    fc.record({ kind: fc.constant("revoke" as const), user: fc.constantFrom(...users) }),
    fc.record({ kind: fc.constant("deleteTeam" as const) }),
  );
  type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

  async function run(teams: Teams, op: Operation) {
    if (op.kind === "grant") {
      await teams.authorizeTeam(delegated(op.user, "coach"), "club", { scopes: op.scopes });
    } else if (op.kind === "revoke") {
      await teams.revokeTeam(delegated(op.user, "coach"), "club");
    } else {
      await teams.adminDeleteTeam(admin, "club");
      await teams.adminPutTeam(admin, "club", teamBody("Club"));
      await teams.adminPutMember(admin, "club", "coach", { role: "owner" });
    }
  }
  /** A refusal (revoking what was not granted) is part of a random sequence, not a failure. */
  const refusalOnly = (error: unknown) => {
    if (!(error instanceof TeamsError)) throw error;
  };

  describe(`events feed: ${options.name}`, () => {
    it("answers every record exactly once and in log order, at any page size", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 5 }),
          (ops, limit) =>
            withTeams(async (teams, store) => {
              for (const op of ops) await run(teams, op).catch(refusalOnly);
              const log = await readConsentLog(store);
              const { events } = await readAll(teams, limit, log.length);
              expect(events).toEqual(log);
            }),
        ),
        { numRuns: 10 },
      );
    }, 60_000);

    it("resumes from the cursor of an empty page, and from the start of an empty log", () =>
      withTeams(async (teams) => {
        const start = await teams.listEvents(admin);
        expect(start).toEqual({ events: [], next_cursor: expect.any(String) });
        await teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["profile"] });
        const first = await readAll(teams, 10, 1, start.next_cursor);
        expect(first.events.map((e) => e.type)).toEqual(["authorization.granted"]);
        // The records of one transaction (a team deletion ending two authorizations) come together.
        await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["profile"] });
        await teams.adminDeleteTeam(admin, "club");
        const next = await readAll(teams, 10, 3, first.cursor);
        expect(next.events.map((e) => `${e.user_id} ${e.type} ${e.cause}`)).toEqual([
          "ben authorization.granted manager",
          "ann authorization.revoked team_deleted",
          "ben authorization.revoked team_deleted",
        ]);
      }));

    it("reads on past a deleted user's records without repeating or losing another's", () =>
      withTeams(async (teams) => {
        await teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["profile"] });
        await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["profile"] });
        let first = await teams.listEvents(admin, { limit: 1 });
        while (first.events.length === 0) {
          first = await teams.listEvents(admin, { after: first.next_cursor, limit: 1 });
        }
        expect(first.events.map((e) => e.user_id)).toEqual(["ann"]);
        await teams.adminDeleteUser(admin, "ann");
        await teams.revokeTeam(delegated("ben", "coach"), "club");
        const rest = await readAll(teams, 1, 2, first.next_cursor);
        expect(rest.events.map((e) => `${e.user_id} ${e.type}`)).toEqual([
          "ben authorization.granted",
          "ben authorization.revoked",
        ]);
      }, "delete"));

    it("calls afterEvents after each commit that appended records, and after no other", async () => {
      const store = await options.open();
      try {
        let calls = 0;
        const teams = createTeams({ db: store.db, kind: store.kind, afterEvents: () => calls++ });
        await seedWorld(teams);
        const callsOf = async (write: () => Promise<unknown>) => {
          const before = calls;
          await write();
          return calls - before;
        };
        const ann = delegated("ann", "coach");
        expect(await callsOf(() => teams.authorizeTeam(ann, "club", { scopes: ["profile"] }))).toBe(
          1,
        );
        // The same grant again changes nothing: no record, no call.
        expect(await callsOf(() => teams.authorizeTeam(ann, "club", { scopes: ["profile"] }))).toBe(
          0,
        );
        expect(await callsOf(() => teams.ensureUser({ id: "newcomer", iat: 2_000_000_000 }))).toBe(
          0,
        );
        const own = { scopes: ["data:read", "profile"], exp: 2_000_000_000 };
        const { refreshToken } = await teams.issueDelegation(
          principal("coach"),
          { sub: "ann" },
          own,
        );
        expect(await callsOf(() => teams.refreshGrant(refreshToken))).toBe(0);
        expect(await callsOf(() => teams.revokeTeam(ann, "club"))).toBe(1);
        await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["profile"] });
        // A deletion's revocations, appended by one statement, are one commit: one call.
        expect(await callsOf(() => teams.adminDeleteTeam(admin, "club"))).toBe(1);
      } finally {
        await store.close();
      }
    });

    it("is for admin tokens only, and refuses a bad cursor or limit", () =>
      withTeams(async (teams) => {
        await expect(teams.listEvents(null)).rejects.toThrow(NotAuthenticated);
        await expect(teams.listEvents(principal("coach"))).rejects.toThrow(Forbidden);
        await expect(teams.listEvents(delegated("ann", "coach"))).rejects.toThrow(Forbidden);
        for (const query of [
          { after: "nonsense" },
          { limit: 0 },
          { limit: 1001 },
          { limit: 1.5 },
        ]) {
          await expect(teams.listEvents(admin, query)).rejects.toThrow(Invalid);
        }
      }));
  });
}
