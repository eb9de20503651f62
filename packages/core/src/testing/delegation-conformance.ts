import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "../database.js";
import type { GrantQuery } from "../delegation-use-cases.js";
import { Forbidden, Invalid, InvalidGrant, NotAuthenticated, NotFound } from "../errors.js";
import { messages } from "../policy/messages.js";
import { createTeams, type Teams } from "../teams.js";
import { admin, delegated, principal, seedWorld } from "./fixtures.js";
import type { StoreConformanceOptions } from "./store-under-test.js";

/**
 * The tokens the service issues (issue 15), against a store: issuing, rotation, reuse detection,
 * every change of a basis ending the refresh tokens built on it (in the change's transaction),
 * the switch back to the principal, and refreshes racing revocations. `runStoreConformance`
 * includes it.
 */
export function runDelegationConformance(options: StoreConformanceOptions): void {
  interface World {
    teams: Teams;
    clock: { now: Date };
    db: Kysely<Database>;
  }
  async function withWorld(fn: (world: World) => Promise<void>) {
    const store = await options.open();
    const clock = { now: new Date("2026-01-01T00:00:00.000Z") };
    try {
      const teams = createTeams({ db: store.db, kind: store.kind, clock: () => clock.now });
      await seedWorld(teams);
      await fn({ teams, clock, db: store.db });
    } finally {
      await store.close();
    }
  }
  const t = (name: string, fn: (world: World) => Promise<void>) => it(name, () => withWorld(fn));

  const coach = principal("coach");
  const assistant = principal("assistant");
  const carl = principal("carl");
  const annByCoach = delegated("ann", "coach");
  /** The caller's own token's `exp`: an hour after the tests' clock starts. */
  const own = { exp: Date.parse("2026-01-01T01:00:00.000Z") / 1000 };
  const rows = async (db: Kysely<Database>) =>
    (await db.selectFrom("refresh_tokens").select("token_hash").execute()).length;
  const refused = async (teams: Teams, token: string, detail?: string) => {
    const attempt = teams.refreshGrant(token);
    await expect(attempt).rejects.toBeInstanceOf(InvalidGrant);
    if (detail) await expect(attempt).rejects.toThrow(detail);
  };
  /** The introspection of a delegated access token as the host would ask it. */
  const access = (sub: string, actor: string, scopes: string[], teamId?: string): GrantQuery => ({
    type: "access_token",
    kind: "delegated",
    sub,
    actor,
    scopes,
    teamId: teamId ?? null,
  });
  const resourceServer = { resourceServer: true } as const;
  const active = async (teams: Teams, query: GrantQuery) =>
    (await teams.isGrantActive(resourceServer, query)).active;

  describe(`delegation conformance: ${options.name}`, () => {
    t("a manager obtains a token for its managed user, and refreshes it", async ({ teams }) => {
      const { grant, refreshToken } = await teams.issueDelegation(coach, { sub: "ann" }, own);
      expect(grant).toEqual({
        kind: "delegated",
        sub: "ann",
        actor: "coach",
        scopes: ["data:read", "data:write", "profile"],
        actorGrant: { scopes: ["data:read", "data:write", "profile"], exp: own.exp },
      });
      expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const next = await teams.refreshGrant(refreshToken);
      expect(next.grant).toEqual(grant);
      expect(next.refreshToken).not.toBe(refreshToken);
      expect(await teams.refreshGrant(next.refreshToken)).toMatchObject({ grant });
    });

    t("stores only the hash of a refresh token", async ({ teams, db }) => {
      const { refreshToken } = await teams.issueDelegation(coach, { sub: "ann" }, own);
      const stored = await db.selectFrom("refresh_tokens").selectAll().execute();
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain(refreshToken);
    });

    t("a rotated token is refused, and its reuse ends the whole family", async ({ teams }) => {
      const first = await teams.issueDelegation(coach, { sub: "ann" }, own);
      const second = await teams.refreshGrant(first.refreshToken);
      await refused(teams, first.refreshToken, messages.refreshTokenReused);
      // The successor, held by whoever rotated first, is ended with the family.
      await refused(teams, second.refreshToken);
      // Another family of the same pair is not touched.
      const other = await teams.issueDelegation(coach, { sub: "ann" }, own);
      await teams.refreshGrant(other.refreshToken);
    });

    t(
      "expired refresh tokens are removed when the user gets a new one",
      async ({ teams, clock, db }) => {
        await teams.issueDelegation(coach, { sub: "ann" }, own);
        await teams.issueDelegation(coach, { sub: "ben" }, own);
        clock.now = new Date("2026-03-01T00:00:00.000Z");
        await teams.issueDelegation(
          coach,
          { sub: "ann" },
          { exp: Date.parse("2026-03-01T01:00:00Z") / 1000 },
        );
        // Ann's old one is gone; Ben's stays until Ben gets a new one (or it is used and refused).
        expect(await rows(db)).toBe(2);
      },
    );

    t("unknown, malformed and expired refresh tokens are refused", async ({ teams, clock }) => {
      await refused(teams, "A".repeat(43), messages.refreshTokenInvalid);
      await refused(teams, "not a token");
      await expect(teams.refreshGrant(42)).rejects.toBeInstanceOf(InvalidGrant);
      const { refreshToken } = await teams.issueDelegation(coach, { sub: "ann" }, own);
      clock.now = new Date("2026-03-01T00:00:00.000Z");
      await refused(teams, refreshToken);
    });

    t(
      "a team member obtains a token for an athlete, at most what it granted the team",
      async ({ teams }) => {
        await teams.consentToTeam(carl, "club", { scopes: ["data:read", "profile"] });
        const { grant, refreshToken } = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club" },
          own,
        );
        expect(grant).toMatchObject({
          sub: "carl",
          actor: "assistant",
          scopes: ["data:read", "profile"],
          teamId: "club",
        });
        const narrowed = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club", scopes: ["profile"] },
          own,
        );
        expect(narrowed.grant.scopes).toEqual(["profile"]);
        expect((await teams.refreshGrant(refreshToken)).grant).toEqual(grant);
      },
    );

    t("every refusal changes nothing", async ({ teams, db }) => {
      await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
      const attempts: [() => Promise<unknown>, new (...args: never[]) => Error][] = [
        [() => teams.issueDelegation(null, { sub: "ann" }, own), NotAuthenticated],
        [() => teams.issueDelegation(coach, {}, own), Invalid],
        [() => teams.issueDelegation(coach, { sub: "ann", scopes: ["nope"] }, own), Invalid],
        [() => teams.issueDelegation(coach, { sub: "ann", scopes: [] }, own), Invalid],
        [() => teams.issueDelegation(coach, { sub: "\ud800" }, own), Invalid],
        [() => teams.issueDelegation(coach, { sub: "x".repeat(256) }, own), Invalid],
        [() => teams.issueDelegation(annByCoach, { sub: "ben" }, own), Forbidden],
        [() => teams.issueDelegation(coach, { sub: "ghost" }, own), NotFound],
        [() => teams.issueDelegation(principal("rival"), { sub: "ann" }, own), NotFound],
        [() => teams.issueDelegation(assistant, { sub: "carl" }, own), Forbidden],
        [
          () => teams.issueDelegation(principal("rival"), { sub: "carl", team_id: "club" }, own),
          NotFound,
        ],
        [() => teams.issueDelegation(coach, { sub: "ann", team_id: "club" }, own), Forbidden],
        [
          () =>
            teams.issueDelegation(
              assistant,
              { sub: "carl", team_id: "club", scopes: ["data:write"] },
              own,
            ),
          Forbidden,
        ],
        [
          () =>
            teams.issueDelegation(
              principal("coach", { scopes: ["data:read"] }),
              { sub: "ann", scopes: ["profile"] },
              own,
            ),
          Forbidden,
        ],
        [
          () =>
            teams.issueDelegation(
              principal("coach", { scopes: ["admin", "data:read"] }),
              { sub: "ann", scopes: ["admin"] },
              own,
            ),
          Forbidden,
        ],
      ];
      for (const [attempt, error] of attempts)
        await expect(attempt()).rejects.toBeInstanceOf(error);
      expect(await rows(db)).toBe(0);
    });

    describe("each change of a basis ends the refresh tokens built on it", () => {
      t("revoking the team authorization", async ({ teams, db }) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
        await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
        const ann = await teams.issueDelegation(coach, { sub: "ann", team_id: "club" }, own);
        const byAssistant = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club" },
          own,
        );
        // A managed user's own delegation does not hang on the team.
        const managed = await teams.issueDelegation(coach, { sub: "ann" }, own);
        const query = access("carl", "assistant", ["data:read"], "club");
        expect(await active(teams, query)).toBe(true);
        expect(
          await active(teams, { type: "refresh_token", token: byAssistant.refreshToken }),
        ).toBe(true);
        await teams.revokeTeam(annByCoach, "club");
        await teams.withdrawConsent(carl, "club");
        await refused(teams, ann.refreshToken);
        await refused(teams, byAssistant.refreshToken);
        expect(await active(teams, query)).toBe(false);
        expect(
          await active(teams, { type: "refresh_token", token: byAssistant.refreshToken }),
        ).toBe(false);
        await teams.refreshGrant(managed.refreshToken);
        expect(await rows(db)).toBe(2);
      });

      t("narrowing the authorization below the token's scopes", async ({ teams }) => {
        await teams.consentToTeam(carl, "club", { scopes: ["data:read", "profile"] });
        const wide = await teams.issueDelegation(assistant, { sub: "carl", team_id: "club" }, own);
        const narrow = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club", scopes: ["data:read"] },
          own,
        );
        await teams.consentToTeam(carl, "club", { scopes: ["data:read", "data:write"] });
        await refused(teams, wide.refreshToken);
        expect(
          await active(teams, access("carl", "assistant", ["data:read", "profile"], "club")),
        ).toBe(false);
        expect(await active(teams, access("carl", "assistant", ["data:read"], "club"))).toBe(true);
        await teams.refreshGrant(narrow.refreshToken);
      });

      t("removing the member who obtained it", async ({ teams }) => {
        await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
        const byAssistant = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club" },
          own,
        );
        const byCoach = await teams.issueDelegation(coach, { sub: "carl", team_id: "club" }, own);
        await teams.removeMember(assistant, "club", "assistant");
        await refused(teams, byAssistant.refreshToken);
        expect(await active(teams, access("carl", "assistant", ["data:read"], "club"))).toBe(false);
        await teams.refreshGrant(byCoach.refreshToken);
        // The administration's removal too.
        await teams.adminPutMember(admin, "club", "assistant", { role: "owner" });
        const again = await teams.issueDelegation(assistant, { sub: "carl", team_id: "club" }, own);
        await teams.adminDeleteMember(admin, "club", "assistant");
        await refused(teams, again.refreshToken);
      });

      t("deleting the team", async ({ teams }) => {
        await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
        const token = await teams.issueDelegation(assistant, { sub: "carl", team_id: "club" }, own);
        await teams.deleteTeam(coach, "club");
        await refused(teams, token.refreshToken);
        expect(await active(teams, access("carl", "assistant", ["data:read"], "club"))).toBe(false);
      });

      t("deleting the user, or the acting user", async ({ teams, db }) => {
        const ann = await teams.issueDelegation(coach, { sub: "ann" }, own);
        const ben = await teams.issueDelegation(coach, { sub: "ben" }, own);
        await teams.deleteManagedUser(coach, "ann");
        await refused(teams, ann.refreshToken);
        expect(await active(teams, access("ann", "coach", ["data:read"]))).toBe(false);
        await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
        const carlToken = await teams.issueDelegation(
          assistant,
          { sub: "carl", team_id: "club" },
          own,
        );
        await teams.adminDeleteUser(admin, "coach");
        await refused(teams, ben.refreshToken);
        await teams
          .refreshGrant(carlToken.refreshToken)
          .then((next) =>
            teams.adminDeleteUser(admin, "assistant").then(() => refused(teams, next.refreshToken)),
          );
        expect(await rows(db)).toBe(0);
      });

      t("changing or clearing the user's manager", async ({ teams }) => {
        const ann = await teams.issueDelegation(coach, { sub: "ann" }, own);
        const ben = await teams.issueDelegation(coach, { sub: "ben" }, own);
        // The same manager again (a rename) keeps the token.
        await teams.adminPutUser(admin, "ann", { first_name: "Anna", manager_id: "coach" });
        const renewed = await teams.refreshGrant(ann.refreshToken);
        await teams.adminPutUser(admin, "ann", { first_name: "Anna", manager_id: "assistant" });
        await refused(teams, renewed.refreshToken);
        expect(await active(teams, access("ann", "coach", ["data:read"]))).toBe(false);
        expect(await active(teams, access("ann", "assistant", ["data:read"]))).toBe(true);
        await teams.adminPutUser(admin, "ben", { first_name: "Ben", manager_id: null });
        await refused(teams, ben.refreshToken);
      });
    });

    t(
      "the store's foreign keys end refresh tokens with their user, actor or team",
      async ({ teams, db }) => {
        // Rows deleted behind the core's back (an operator's SQL): the schema still cascades.
        await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
        await teams.issueDelegation(assistant, { sub: "carl", team_id: "club" }, own);
        await teams.issueDelegation(coach, { sub: "ann" }, own);
        await teams.issueDelegation(coach, { sub: "ben" }, own);
        expect(await rows(db)).toBe(3);
        await db.deleteFrom("teams").where("id", "=", "club").execute();
        expect(await rows(db)).toBe(2);
        await db.deleteFrom("users").where("id", "=", "ann").execute();
        expect(await rows(db)).toBe(1);
        await db.deleteFrom("users").where("id", "=", "coach").execute();
        expect(await rows(db)).toBe(0);
      },
    );

    t(
      "switching back gives the principal its recorded scopes, never past its own token",
      async ({ teams, clock }) => {
        const narrowCoach = principal("coach", { scopes: ["data:read", "openid"] });
        const issued = await teams.issueDelegation(narrowCoach, { sub: "ann" }, own);
        const claims = { kind: "delegated", actorGrant: issued.grant.actorGrant };
        const back = await teams.switchToPrincipal(
          delegated("ann", "coach", issued.grant.scopes),
          claims,
        );
        expect(back.grant).toEqual({
          kind: "principal",
          sub: "coach",
          scopes: ["data:read", "openid"],
          notAfter: own.exp,
        });
        // Refreshing it never extends it either.
        const again = await teams.refreshGrant(back.refreshToken);
        expect(again.grant).toEqual(back.grant);
        expect(await active(teams, { type: "refresh_token", token: again.refreshToken })).toBe(
          true,
        );
        clock.now = new Date((own.exp + 1) * 1000);
        await refused(teams, again.refreshToken);
        // The delegated family lives on; its switch back now has nothing left to give.
        const renewed = await teams.refreshGrant(issued.refreshToken);
        await expect(
          teams.switchToPrincipal(annByCoach, {
            kind: "delegated",
            actorGrant: renewed.grant.actorGrant,
          }),
        ).rejects.toBeInstanceOf(NotAuthenticated);
      },
    );

    t(
      "switching back needs a delegated token the service issued; a team token may",
      async ({ teams }) => {
        const actorGrant = { scopes: ["data:read"], exp: own.exp };
        for (const [who, claims] of [
          [coach, { kind: "delegated", actorGrant }],
          [annByCoach, {}],
          [annByCoach, { kind: "session", actorGrant }],
          [annByCoach, { kind: "delegated" }],
        ] as const) {
          await expect(teams.switchToPrincipal(who, claims)).rejects.toBeInstanceOf(Forbidden);
        }
        await expect(
          teams.switchToPrincipal(delegated("carl", "coach"), { kind: "delegated", actorGrant }),
        ).rejects.toBeInstanceOf(NotAuthenticated);
        const teamToken = { ...delegated("carl", "assistant"), teamId: "club" };
        const back = await teams.switchToPrincipal(teamToken, { kind: "delegated", actorGrant });
        expect(back.grant).toMatchObject({ sub: "assistant", scopes: ["data:read"] });
      },
    );

    t("revoking a refresh token ends its family; unknown tokens are fine", async ({ teams }) => {
      const first = await teams.issueDelegation(coach, { sub: "ann" }, own);
      const second = await teams.refreshGrant(first.refreshToken);
      await teams.revokeRefreshToken(first.refreshToken);
      await refused(teams, second.refreshToken);
      await teams.revokeRefreshToken(second.refreshToken);
      await teams.revokeRefreshToken("A".repeat(43));
      await teams.revokeRefreshToken("junk");
    });

    t("introspection is for an admin token or the resource server", async ({ teams }) => {
      const query = access("ann", "coach", ["data:read"]);
      await expect(teams.isGrantActive(coach, query)).rejects.toBeInstanceOf(Forbidden);
      await expect(teams.isGrantActive(null, query)).rejects.toBeInstanceOf(NotAuthenticated);
      expect(await teams.isGrantActive(admin, query)).toEqual({ active: true });
      expect(
        await teams.isGrantActive(admin, {
          type: "access_token",
          kind: "principal",
          sub: "ghost",
          scopes: [],
        }),
      ).toEqual({ active: false });
    });

    describe("races", () => {
      t(
        "a refresh and a revocation of the authorization at once never leave a usable token",
        async ({ teams, db }) => {
          await teams.adminPutUser(admin, "dora", { first_name: "Dora" });
          for (let round = 0; round < 15; round++) {
            await teams.consentToTeam(principal("dora"), "club", { scopes: ["data:read"] });
            const { refreshToken } = await teams.issueDelegation(
              assistant,
              { sub: "dora", team_id: "club" },
              own,
            );
            const [refresh] = await Promise.allSettled([
              teams.refreshGrant(refreshToken),
              teams.withdrawConsent(principal("dora"), "club"),
            ]);
            if (refresh.status === "fulfilled") await refused(teams, refresh.value.refreshToken);
            else expect(refresh.reason).toBeInstanceOf(InvalidGrant);
            expect(await rows(db)).toBe(0);
          }
        },
      );

      t(
        "a refresh and a revocation of the refresh token at once never leave a usable token",
        async ({ teams, db }) => {
          for (let round = 0; round < 15; round++) {
            const { refreshToken } = await teams.issueDelegation(coach, { sub: "ann" }, own);
            const [refresh] = await Promise.allSettled([
              teams.refreshGrant(refreshToken),
              teams.revokeRefreshToken(refreshToken),
            ]);
            if (refresh.status === "fulfilled") await refused(teams, refresh.value.refreshToken);
            else expect(refresh.reason).toBeInstanceOf(InvalidGrant);
            expect(await rows(db)).toBe(0);
          }
        },
      );

      t(
        "two refreshes of one token at once: at most one wins, then both end",
        async ({ teams }) => {
          const { refreshToken } = await teams.issueDelegation(coach, { sub: "ann" }, own);
          const results = await Promise.allSettled([
            teams.refreshGrant(refreshToken),
            teams.refreshGrant(refreshToken),
          ]);
          const won = results.filter((r) => r.status === "fulfilled");
          expect(won.length).toBeLessThanOrEqual(1);
          for (const r of won) await refused(teams, r.value.refreshToken);
        },
      );
    });
  });
}
