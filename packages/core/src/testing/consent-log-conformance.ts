import fc from "fast-check";
import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { type ConsentRecord, readConsentLog } from "../consent-log-queries.js";
import type { Database } from "../database.js";
import { Forbidden, Invalid, NotAuthenticated, NotFound, TeamsError } from "../errors.js";
import type { ConsentActor } from "../policy/consent-actor.js";
import type { Principal } from "../principal.js";
import { decodeScopes, type GrantableScope } from "../scopes.js";
import { createTeams, type HistoryRetention, type Teams } from "../teams.js";
import { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
import type { StoreConformanceOptions } from "./store-under-test.js";

/**
 * The consent log (DESIGN §7, issue 16 point 1) against a store: every path that changes or ends
 * an authorization appends exactly one record per authorization it touched, with its actor and
 * cause; nothing else appends; and the log replayed from empty is the store's authorizations.
 * `runStoreConformance` includes it.
 */
export function runConsentLogConformance(options: StoreConformanceOptions): void {
  const T0 = "2026-01-01T00:00:00.000Z";
  const T1 = "2026-01-02T00:00:00.000Z";

  /** Runs `fn` on a fresh store; deleted users' records are kept unless `historyRetention` says. */
  async function withTeams(
    fn: (teams: Teams, log: Log, clock: { now: Date }, db: Kysely<Database>) => Promise<void>,
    historyRetention: HistoryRetention = "keep",
  ) {
    const store = await options.open();
    const clock = { now: new Date(T0) };
    try {
      const teams = createTeams({
        db: store.db,
        kind: store.kind,
        clock: () => clock.now,
        historyRetention,
      });
      await seedWorld(teams);
      // What a step appended: the records after the last look, without ids (checked apart).
      let seen = 0;
      const log: Log = {
        all: () => readConsentLog(store),
        async appended() {
          const all = await readConsentLog(store);
          const fresh = all.slice(seen);
          seen = all.length;
          return fresh.map(({ id: _id, ...rest }) => rest);
        },
      };
      await fn(teams, log, clock, store.db);
    } finally {
      await store.close();
    }
  }
  const t = (
    name: string,
    fn: (teams: Teams, log: Log, clock: { now: Date }, db: Kysely<Database>) => Promise<void>,
  ) => it(name, () => withTeams(fn));

  const coach = principal("coach");
  const carl = principal("carl");
  const annByCoach = delegated("ann", "coach");
  const benByCoach = delegated("ben", "coach");

  const managerToken = (user: string): ConsentActor => ({
    user_id: user,
    authorized_party: "coach",
    via: "manager_token",
  });
  const browser: ConsentActor = { user_id: "carl", authorized_party: null, via: "browser" };
  const asAdmin: ConsentActor = { user_id: "platform", authorized_party: null, via: "admin" };
  const record = (
    type: ConsentRecord["type"],
    team_id: string,
    user_id: string,
    previous_scopes: GrantableScope[] | null,
    scopes: GrantableScope[] | null,
    actor: ConsentActor,
    cause: ConsentRecord["cause"],
    occurred_at = T0,
  ): Omit<ConsentRecord, "id"> => ({
    type,
    occurred_at,
    team_id,
    user_id,
    scopes,
    previous_scopes,
    actor,
    cause,
  });

  describe(`consent log: ${options.name}`, () => {
    t("seeding users, teams and members appends nothing", async (_teams, log) => {
      expect(await log.appended()).toEqual([]);
    });

    t(
      "a manager authorizes, re-authorizes with other scopes, and revokes",
      async (teams, log, clock) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile", "data:read"] });
        expect(await log.appended()).toEqual([
          record(
            "authorization.granted",
            "club",
            "ann",
            null,
            ["data:read", "profile"],
            managerToken("ann"),
            "manager",
          ),
        ]);
        clock.now = new Date(T1);
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:write"] });
        expect(await log.appended()).toEqual([
          record(
            "authorization.updated",
            "club",
            "ann",
            ["data:read", "profile"],
            ["data:write"],
            managerToken("ann"),
            "manager",
            T1,
          ),
        ]);
        await teams.revokeTeam(annByCoach, "club");
        expect(await log.appended()).toEqual([
          record(
            "authorization.revoked",
            "club",
            "ann",
            ["data:write"],
            null,
            managerToken("ann"),
            "manager",
            T1,
          ),
        ]);
      },
    );

    t(
      "an identical re-grant changes nothing and appends nothing",
      async (teams, log, clock, db) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile", "data:read"] });
        await log.appended();
        clock.now = new Date(T1);
        await teams.authorizeTeam(annByCoach, "club", {
          scopes: ["data:read", "profile", "profile"],
        });
        await teams.consentToTeam(carl, "club", { scopes: ["profile"] }, { via: "browser" });
        await log.appended();
        await teams.consentToTeam(
          carl,
          "club",
          { scopes: ["profile"] },
          { add: true, via: "browser" },
        );
        expect(await log.appended()).toEqual([]);
        const row = await db
          .selectFrom("authorizations")
          .select("updated_at")
          .where("user_id", "=", "ann")
          .executeTakeFirstOrThrow();
        expect(row.updated_at).toBe(T0);
      },
    );

    t("refused and failed changes append nothing", async (teams, log) => {
      await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile"] });
      await log.appended();
      const refused = [
        () => teams.authorizeTeam(annByCoach, "nope", { scopes: ["profile"] }),
        () => teams.authorizeTeam(delegated("ann", "rival"), "club", { scopes: ["data:read"] }),
        () =>
          teams.authorizeTeam(delegated("ann", "coach", ["profile"]), "club", {
            scopes: ["data:read"],
          }),
        () => teams.revokeTeam(benByCoach, "club"),
        () => teams.withdrawConsent(carl, "club"),
        () => teams.consentToTeam(principal("ann"), "club", { scopes: ["profile"] }),
        () => teams.deleteTeam(principal("assistant"), "club"),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toBeInstanceOf(TeamsError);
      expect(await log.appended()).toEqual([]);
    });

    t("consent in the browser, added to, and withdrawn", async (teams, log) => {
      await teams.consentToTeam(
        carl,
        "club",
        { scopes: ["profile"] },
        { add: true, via: "browser" },
      );
      await teams.consentToTeam(
        carl,
        "club",
        { scopes: ["data:read"] },
        { add: true, via: "browser" },
      );
      await teams.withdrawConsent(carl, "club", { via: "browser" });
      expect(await log.appended()).toEqual([
        record("authorization.granted", "club", "carl", null, ["profile"], browser, "user"),
        record(
          "authorization.updated",
          "club",
          "carl",
          ["profile"],
          ["data:read", "profile"],
          browser,
          "user",
        ),
        record(
          "authorization.revoked",
          "club",
          "carl",
          ["data:read", "profile"],
          null,
          browser,
          "user",
        ),
      ]);
    });

    t("consent not from the pages is the service's", async (teams, log) => {
      await teams.consentToTeam(carl, "club", { scopes: ["profile"] });
      await teams.withdrawConsent(carl, "club");
      const service: ConsentActor = { user_id: null, authorized_party: null, via: "service" };
      expect(await log.appended()).toEqual([
        record("authorization.granted", "club", "carl", null, ["profile"], service, "user"),
        record("authorization.revoked", "club", "carl", ["profile"], null, service, "user"),
      ]);
    });

    t(
      "membership changes, a member's self-removal included, end no authorization",
      async (teams, log) => {
        await teams.consentToTeam(carl, "club", { scopes: ["profile"] }, { via: "browser" });
        await teams.putMember(coach, "club", "carl", { role: "member" });
        await log.appended();
        await teams.removeMember(carl, "club", "carl");
        await teams.adminPutMember(admin, "club", "carl", { role: "member" });
        await teams.adminDeleteMember(admin, "club", "carl");
        await teams.adminPutUser(admin, "carl", {
          first_name: "C",
          last_name: null,
          manager_id: null,
        });
        await teams.adminPutTeam(admin, "club", teamBody("Club Renamed"));
        expect(await log.appended()).toEqual([]);
      },
    );

    const grantAll = async (teams: Teams) => {
      await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile"] });
      await teams.authorizeTeam(benByCoach, "club", { scopes: ["data:read"] });
      await teams.authorizeTeam(annByCoach, "other", { scopes: ["data:write"] });
      await teams.consentToTeam(carl, "club", { scopes: ["profile"] }, { via: "browser" });
    };

    t("a team deleted by its owner: one revocation per authorization", async (teams, log) => {
      await grantAll(teams);
      await log.appended();
      await teams.deleteTeam(coach, "club");
      const owner: ConsentActor = { user_id: "coach", authorized_party: null, via: "owner" };
      expect(await log.appended()).toEqual([
        record("authorization.revoked", "club", "ann", ["profile"], null, owner, "team_deleted"),
        record("authorization.revoked", "club", "ben", ["data:read"], null, owner, "team_deleted"),
        record("authorization.revoked", "club", "carl", ["profile"], null, owner, "team_deleted"),
      ]);
    });

    t(
      "a team deleted by an administrator: one revocation per authorization",
      async (teams, log) => {
        await grantAll(teams);
        await log.appended();
        await teams.adminDeleteTeam(admin, "other");
        expect(await log.appended()).toEqual([
          record(
            "authorization.revoked",
            "other",
            "ann",
            ["data:write"],
            null,
            asAdmin,
            "team_deleted",
          ),
        ]);
        await expect(teams.adminDeleteTeam(admin, "other")).rejects.toBeInstanceOf(TeamsError);
        expect(await log.appended()).toEqual([]);
      },
    );

    // A user's records come by user id, then team id.
    t(
      "a user deleted by an administrator: its, and its managed users', authorizations",
      async (teams, log) => {
        await grantAll(teams);
        await log.appended();
        await teams.adminDeleteUser(admin, "coach");
        expect(await log.appended()).toEqual([
          record(
            "authorization.revoked",
            "club",
            "ann",
            ["profile"],
            null,
            asAdmin,
            "user_deleted",
          ),
          record(
            "authorization.revoked",
            "other",
            "ann",
            ["data:write"],
            null,
            asAdmin,
            "user_deleted",
          ),
          record(
            "authorization.revoked",
            "club",
            "ben",
            ["data:read"],
            null,
            asAdmin,
            "user_deleted",
          ),
        ]);
        await teams.adminDeleteUser(admin, "carl");
        expect(await log.appended()).toEqual([
          record(
            "authorization.revoked",
            "club",
            "carl",
            ["profile"],
            null,
            asAdmin,
            "user_deleted",
          ),
        ]);
      },
    );

    t("a managed user deleted by its manager", async (teams, log) => {
      await grantAll(teams);
      await log.appended();
      await teams.deleteManagedUser(coach, "ann");
      const manager: ConsentActor = {
        user_id: "coach",
        authorized_party: null,
        via: "manager_token",
      };
      expect(await log.appended()).toEqual([
        record("authorization.revoked", "club", "ann", ["profile"], null, manager, "user_deleted"),
        record(
          "authorization.revoked",
          "other",
          "ann",
          ["data:write"],
          null,
          manager,
          "user_deleted",
        ),
      ]);
    });

    t("ids increase with each record, in the order the changes were made", async (teams, log) => {
      await grantAll(teams);
      await teams.adminDeleteTeam(admin, "club");
      await teams.authorizeTeam(benByCoach, "other", { scopes: ["profile"] });
      const records = await log.all();
      const ids = records.map((r) => r.id);
      expect(new Set(ids).size).toBe(8);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      // In id order: the four grants, the deletion's three revocations, the last grant.
      expect(records.map((r) => `${r.type} ${r.team_id} ${r.user_id}`)).toEqual([
        "authorization.granted club ann",
        "authorization.granted club ben",
        "authorization.granted other ann",
        "authorization.granted club carl",
        "authorization.revoked club ann",
        "authorization.revoked club ben",
        "authorization.revoked club carl",
        "authorization.granted other ben",
      ]);
    });

    t(
      "concurrent changes of one pair: each record starts where the one before it ended",
      async (teams, log, _clock, db) => {
        const sets: GrantableScope[][] = [
          ["data:read"],
          ["profile"],
          ["data:read"],
          ["data:write"],
        ];
        await Promise.all([
          ...sets.map((scopes) => teams.authorizeTeam(annByCoach, "club", { scopes })),
          teams.revokeTeam(annByCoach, "club").catch(refusalOnly),
        ]);
        const stored = await db
          .selectFrom("authorizations")
          .select(["team_id", "user_id", "scopes"])
          .execute();
        expect(replay(await log.all())).toEqual(
          new Map(stored.map((r) => [`${r.team_id} ${r.user_id}`, decodeScopes(r.scopes)])),
        );
      },
    );

    t("the store refuses to change a record", async (teams, _log, _clock, db) => {
      await grantAll(teams);
      await expect(db.updateTable("consent_log").set({ cause: "admin" }).execute()).rejects.toThrow(
        /never updated/,
      );
    });

    t("a person reads its own history, and a manager its managed user's", async (teams) => {
      await grantAll(teams);
      await teams.revokeTeam(annByCoach, "club");
      const own = await teams.listAuthorizationHistory(carl);
      expect(own.items.map((r) => [r.type, r.team_id, r.user_id])).toEqual([
        ["authorization.granted", "club", "carl"],
      ]);
      expect(own.next_cursor).toBeNull();
      const ann = await teams.listAuthorizationHistory(coach, { user_id: "ann" });
      expect(ann.items.map((r) => [r.type, r.team_id])).toEqual([
        ["authorization.granted", "club"],
        ["authorization.granted", "other"],
        ["authorization.revoked", "club"],
      ]);
      expect(ann.items[2]?.actor).toEqual(managerToken("ann"));
      // Someone else's, a user no one manages, a missing one: the users API's 404.
      for (const [caller, user] of [
        [carl, "ann"],
        [principal("rival"), "ann"],
        [coach, "carl"],
        [coach, "nobody"],
      ] as const) {
        await expect(teams.listAuthorizationHistory(caller, { user_id: user })).rejects.toThrow(
          NotFound,
        );
      }
      // A delegated token is for the five endpoints of the reference only.
      await expect(teams.listAuthorizationHistory(annByCoach)).rejects.toThrow(Forbidden);
      await expect(teams.listAuthorizationHistory(undefined)).rejects.toThrow(NotAuthenticated);
    });

    t("a team's members read its history; anyone else gets the users list's 404", async (teams) => {
      await grantAll(teams);
      await teams.deleteTeam(principal("rival"), "other");
      const club = await teams.listTeamHistory(principal("assistant"), "club");
      expect(club.items.map((r) => [r.type, r.user_id])).toEqual([
        ["authorization.granted", "ann"],
        ["authorization.granted", "ben"],
        ["authorization.granted", "carl"],
      ]);
      const refusals = [
        () => teams.listTeamHistory(carl, "club"),
        () => teams.listTeamHistory(coach, "other"),
        () => teams.listTeamHistory(coach, "nope"),
        () => teams.listTeamUsers(carl, "club"),
      ];
      const messages = new Set<string>();
      for (const refused of refusals) {
        const error = await refused().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NotFound);
        messages.add((error as Error).message);
      }
      expect(messages.size).toBe(1);
    });

    t("history pages with limit and cursor, in log order", async (teams) => {
      await grantAll(teams);
      await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
      const all = (await teams.listTeamHistory(coach, "club")).items;
      expect(all).toHaveLength(4);
      const seen = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await teams.listTeamHistory(coach, "club", { limit: "3", cursor });
        seen.push(...page.items);
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
      expect(seen).toEqual(all);
      const first = await teams.listAuthorizationHistory(coach, { user_id: "ann", limit: 1 });
      expect(first.items).toHaveLength(1);
      expect(first.next_cursor).not.toBeNull();
      // A cursor of another list, or none at all, is refused and changes nothing.
      const users = await teams.listTeamUsers(coach, "club", { limit: 1 });
      for (const bad of [users.next_cursor ?? "", "nonsense"]) {
        await expect(
          teams.listTeamHistory(coach, "club", { limit: 1, cursor: bad }),
        ).rejects.toThrow(Invalid);
      }
      await expect(teams.listTeamHistory(coach, "club", { limit: 0 })).rejects.toThrow(Invalid);
    });

    it("by default, deleting a user deletes its records (and its managed users'), ids never reused", async () => {
      await withTeams(async (teams, log) => {
        await grantAll(teams);
        await teams.authorizeTeam(benByCoach, "other", { scopes: ["profile"] });
        const before = await log.all();
        await teams.adminDeleteUser(admin, "ann");
        const after = await log.all();
        expect(after).toEqual(before.filter((r) => r.user_id !== "ann"));
        await teams.adminDeleteUser(admin, "coach");
        expect((await log.all()).map((r) => r.user_id)).toEqual(["carl"]);
        // A new record's id is above every id written before, deleted ones included.
        await teams.consentToTeam(carl, "other", { scopes: ["profile"] }, { via: "browser" });
        const last = (await log.all()).at(-1);
        expect(last?.id).toBeGreaterThan(Math.max(...before.map((r) => r.id)) + 3);
      }, "delete");
    });

    it("the log replayed from empty is the store's authorizations, after random changes", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 1, maxLength: 25 }),
          fc.constantFrom<HistoryRetention>("keep", "delete"),
          (ops, retention) =>
            withTeams(async (teams, log, _clock, db) => {
              for (const op of ops) await run(teams, op).catch(refusalOnly);
              const replayed = replay(await log.all());
              const stored = await db
                .selectFrom("authorizations")
                .select(["team_id", "user_id", "scopes"])
                .execute();
              expect(replayed).toEqual(
                new Map(
                  stored
                    .map((r) => [`${r.team_id} ${r.user_id}`, decodeScopes(r.scopes)] as const)
                    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
                ),
              );
            }, retention),
        ),
        { numRuns: 15 },
      );
      // Each run opens a fresh store (a PostgreSQL schema takes about half a second).
    }, 120_000);
  });
}

/** A refusal is an expected outcome of a random change; anything else fails the test. */
function refusalOnly(error: unknown): void {
  if (!(error instanceof TeamsError)) throw error;
}

interface Log {
  /** Every record, in log order. */
  all(): Promise<ConsentRecord[]>;
  /** The records appended since the last call, without their ids. */
  appended(): Promise<Omit<ConsentRecord, "id">[]>;
}

/**
 * The authorizations the log describes: each record must start from the state the records before
 * it left (its `previous_scopes`), and its `scopes` is the state after it.
 */
function replay(records: readonly ConsentRecord[]): Map<string, GrantableScope[]> {
  const state = new Map<string, GrantableScope[]>();
  for (const r of records) {
    const key = `${r.team_id} ${r.user_id}`;
    expect(state.get(key) ?? null, `record ${r.id} starts where the log was`).toEqual(
      r.previous_scopes,
    );
    expect(r.type).toBe(
      r.previous_scopes === null
        ? "authorization.granted"
        : r.scopes === null
          ? "authorization.revoked"
          : "authorization.updated",
    );
    if (r.scopes === null) state.delete(key);
    else state.set(key, r.scopes);
  }
  return new Map([...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Op =
  | { kind: "authorize"; user: "ann" | "ben"; team: string; scopes: GrantableScope[] }
  | { kind: "revoke"; user: "ann" | "ben"; team: string }
  | { kind: "consent"; team: string; scopes: GrantableScope[]; add: boolean }
  | { kind: "withdraw"; team: string }
  | { kind: "delete-team"; team: string; byAdmin: boolean }
  | { kind: "put-team"; team: string }
  | { kind: "delete-user"; user: "ann" | "carl" | "coach"; byAdmin: boolean }
  | { kind: "put-user"; user: "ann" | "ben" | "carl" | "coach" };

const team = fc.constantFrom("club", "other");
const scopes = fc.subarray(["data:read", "data:write", "profile"] as GrantableScope[], {
  minLength: 1,
});
const managed = fc.constantFrom("ann" as const, "ben" as const);
const operation: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("authorize" as const), user: managed, team, scopes }),
  fc.record({ kind: fc.constant("revoke" as const), user: managed, team }),
  fc.record({ kind: fc.constant("consent" as const), team, scopes, add: fc.boolean() }),
  fc.record({ kind: fc.constant("withdraw" as const), team }),
  fc.record({ kind: fc.constant("delete-team" as const), team, byAdmin: fc.boolean() }),
  fc.record({ kind: fc.constant("put-team" as const), team }),
  fc.record({
    kind: fc.constant("delete-user" as const),
    user: fc.constantFrom("ann" as const, "carl" as const, "coach" as const),
    byAdmin: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("put-user" as const),
    user: fc.constantFrom("ann" as const, "ben" as const, "carl" as const, "coach" as const),
  }),
);

const owners: Record<string, string> = { club: "coach", other: "rival" };

async function run(teams: Teams, op: Op): Promise<unknown> {
  const own = (id: string): Principal => principal(id);
  switch (op.kind) {
    case "authorize":
      return teams.authorizeTeam(delegated(op.user, "coach"), op.team, { scopes: op.scopes });
    case "revoke":
      return teams.revokeTeam(delegated(op.user, "coach"), op.team);
    case "consent":
      return teams.consentToTeam(own("carl"), op.team, { scopes: op.scopes }, { add: op.add });
    case "withdraw":
      return teams.withdrawConsent(own("carl"), op.team, { via: "browser" });
    case "delete-team":
      return op.byAdmin
        ? teams.adminDeleteTeam(admin, op.team)
        : teams.deleteTeam(own(owners[op.team] ?? ""), op.team);
    case "put-team":
      await teams.adminPutTeam(admin, op.team, teamBody(op.team));
      return teams.adminPutMember(admin, op.team, owners[op.team] ?? "", { role: "owner" });
    case "delete-user":
      return op.byAdmin || op.user !== "ann"
        ? teams.adminDeleteUser(admin, op.user)
        : teams.deleteManagedUser(own("coach"), op.user);
    case "put-user": {
      const manager = op.user === "ann" || op.user === "ben" ? "coach" : null;
      if (manager) {
        await teams.adminPutUser(admin, manager, { first_name: "Cora", last_name: null });
      }
      return teams.adminPutUser(admin, op.user, { first_name: op.user, manager_id: manager });
    }
  }
}
