import { createTeams, NotFound, parseLines, type Teams } from "@teams/core";
import { delegated, principal, seedWorld } from "@teams/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { noPostgres, openTestStore, type TestStore } from "./support.js";

// Contention of this size is normal traffic: grants and revocations of one row wait for each
// other's row locks (READ COMMITTED) instead of failing serializable and running out of retries.
// With 8 attempts, serializable answered 503 to 4 or 5 of 50 identical grants on a pool of 10.

const ann = delegated("ann", "coach");
const CALLS = 50;

describe.skipIf(noPostgres)("writes of one row under contention, pool of 10", () => {
  let store: TestStore;
  let teams: Teams;
  beforeEach(async () => {
    store = await openTestStore({ max: 10 });
    // One attempt: any serialization failure or deadlock would surface as Unavailable.
    teams = createTeams({ ...store, maxAttempts: 1 });
    await seedWorld(teams);
  });
  afterEach(() => store.close());

  it(`${CALLS} identical authorizations at once all succeed`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: CALLS }, () =>
        teams.authorizeTeam(ann, "club", { scopes: ["data:read", "profile"] }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const users = parseLines((await teams.listTeamUsers(principal("coach"), "club")).lines);
    expect(users.filter((u) => u.id === "ann").map((u) => u.scopes)).toEqual([
      ["data:read", "profile"],
    ]);
  });

  it(`${CALLS} authorize/revoke pairs on one row at once: grants succeed, revokes find a grant or none`, async () => {
    const pairs = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const scopes = i % 2 === 0 ? ["data:read"] : ["data:write"];
        const granted = await teams.authorizeTeam(ann, "club", { scopes });
        const revoked = await teams.revokeTeam(ann, "club").catch((e: unknown) => e);
        return { granted, revoked };
      }),
    );
    for (const { granted, revoked } of pairs) {
      expect(granted.team_id).toBe("club");
      // Another pair's revoke may have come first: then there is nothing left to revoke.
      if (revoked instanceof Error) expect(revoked).toBeInstanceOf(NotFound);
      else expect(revoked).toMatchObject({ team_id: "club", user_id: "ann" });
    }
    const revokedOnes = pairs.filter((p) => !(p.revoked instanceof Error)).length;
    expect(revokedOnes).toBeGreaterThan(0);
    // Every pair ends with a revoke, so the last write of the row removed it.
    expect(await teams.listAuthorizedTeams(principal("ann"))).toMatchObject({ lines: [] });
  });
});
