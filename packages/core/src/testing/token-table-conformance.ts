import { describe, expect, it } from "vitest";
import { Forbidden, Invalid, NotAuthenticated } from "../errors.js";
import type { Principal } from "../principal.js";
import { createTeams, type Teams } from "../teams.js";
import { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
import type { StoreConformanceOptions } from "./store-under-test.js";

/**
 * DESIGN §2's token table through the use cases (so REST, tRPC, the pages and the CLI alike),
 * against a store: the row of a delegated token depends on its subject's manager, read from it.
 * The attacks of issue 12 (items 2 and 3) as written, and the checks' order. `runStoreConformance`
 * includes it.
 */
export function runTokenTableConformance(options: StoreConformanceOptions): void {
  async function withTeams(fn: (teams: Teams) => Promise<void>) {
    const store = await options.open();
    try {
      const teams = createTeams({ db: store.db, kind: store.kind });
      await seedWorld(teams);
      // m3 is managed by rival, not by coach; appx is an app's own user.
      await teams.adminPutUser(admin, "m3", {
        first_name: "M",
        last_name: "3",
        manager_id: "rival",
      });
      await teams.adminPutUser(admin, "appx", {
        first_name: "App",
        last_name: "X",
        manager_id: null,
      });
      await fn(teams);
    } finally {
      await store.close();
    }
  }
  const t = (name: string, fn: (teams: Teams) => Promise<void>) => it(name, () => withTeams(fn));

  const coach = principal("coach");
  /** What the attacks must leave as it was. */
  const state = async (teams: Teams) => ({
    club: await teams.getTeam(coach, "club"),
    members: await teams.listMembers(coach, "club"),
    m3Teams: await teams.listTeams(principal("m3")),
    m3Grants: (await teams.listAuthorizedTeams(principal("m3"))).lines,
    coachUsers: await teams.listUsers(coach),
  });

  describe(`token table conformance: ${options.name}`, () => {
    t(
      "an app's token for the coach cannot make itself owner, rename, or remove the coach (12.2)",
      async (teams) => {
        const before = await state(teams);
        const appx = principal("coach", { azp: "appx", scopes: ["openid"] });
        const attempts = [
          () => teams.putMember(appx, "club", "appx", { role: "owner" }),
          () => teams.updateTeam(appx, "club", { name: "Taken" }),
          () => teams.removeMember(appx, "club", "coach"),
          () => teams.deleteTeam(appx, "club"),
          () => teams.createManagedUser(appx, { first_name: "E", last_name: null }),
          () => teams.listMembers(appx, "club"),
        ];
        for (const attempt of attempts)
          await expect(attempt()).rejects.toBeInstanceOf(NotAuthenticated);
        expect(await state(teams)).toEqual(before);
      },
    );

    t(
      "a manager's valid delegation still cannot manage, even a team its managed user owns",
      async (teams) => {
        await teams.adminPutMember(admin, "other", "ann", { role: "owner" });
        const annByCoach = delegated("ann", "coach");
        await expect(
          teams.updateTeam(annByCoach, "other", { name: "Taken" }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(
          teams.putMember(annByCoach, "other", "coach", { role: "owner" }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.removeMember(annByCoach, "other", "rival")).rejects.toBeInstanceOf(
          Forbidden,
        );
        expect(
          (await teams.listMembers(principal("rival"), "other")).items.map((m) => m.role),
        ).toEqual(["owner", "owner"]);
        // The reference's own endpoints remain its manager's to use.
        expect((await teams.listTeams(annByCoach)).items.map((team) => team.id)).toEqual(["other"]);
      },
    );

    t(
      "a delegation by someone who is not m3's manager reads nothing and creates nothing (12.3)",
      async (teams) => {
        const m3ByCoach = delegated("m3", "coach");
        await teams.authorizeTeam(delegated("m3", "rival"), "club", { scopes: ["data:read"] });
        const before = await state(teams);
        const attempts: (() => Promise<unknown>)[] = [
          () => teams.listAuthorizedTeams(m3ByCoach),
          () => teams.listTeams(m3ByCoach),
          () => teams.createTeam(m3ByCoach, teamBody("Owned by m3")),
          () => teams.authorizeTeam(m3ByCoach, "club", { scopes: ["data:read"] }),
          () => teams.revokeTeam(m3ByCoach, "club"),
          () => teams.listTeamUsers(m3ByCoach, "club"),
          () => teams.getTeamForConsent(m3ByCoach, "club"),
        ];
        for (const attempt of attempts)
          await expect(attempt()).rejects.toBeInstanceOf(NotAuthenticated);
        expect(await state(teams)).toEqual(before);
      },
    );

    t("checks run 401, then 422, then 403", async (teams) => {
      // A token that can never be valid is refused before the body is read.
      await expect(teams.createTeam(delegated("m3", "coach"), {})).rejects.toBeInstanceOf(
        NotAuthenticated,
      );
      // A manager's delegation on management: the body's shape first, then the table's 403.
      const annByCoach = delegated("ann", "coach");
      await expect(teams.createTeam(annByCoach, {})).rejects.toBeInstanceOf(Invalid);
      await expect(teams.createTeam(annByCoach, teamBody("X"))).rejects.toBeInstanceOf(Forbidden);
      await expect(teams.adminPutTeam(annByCoach, "t", {})).rejects.toBeInstanceOf(Invalid);
      await expect(teams.adminPutTeam(annByCoach, "t", teamBody("X"))).rejects.toBeInstanceOf(
        Forbidden,
      );
    });

    t("a token delegated through a team is refused everywhere (403)", async (teams) => {
      const viaTeam: Principal = { ...delegated("ann", "coach"), teamId: "club" };
      await expect(teams.listTeams(viaTeam)).rejects.toBeInstanceOf(Forbidden);
      await expect(teams.listAuthorizedTeams(viaTeam)).rejects.toBeInstanceOf(Forbidden);
      await expect(
        teams.authorizeTeam(viaTeam, "club", { scopes: ["data:read"] }),
      ).rejects.toBeInstanceOf(Forbidden);
      await expect(teams.createTeam(viaTeam, teamBody("X"))).rejects.toBeInstanceOf(Forbidden);
      expect((await teams.listAuthorizedTeams(principal("ann"))).lines).toEqual([]);
    });
  });
}
