import { describe, expect, it } from "vitest";
import type { Principal } from "../principal.js";
import { type AccessFacts, decideAccess } from "./access-policy.js";

const coach: Principal = { userId: "coach", authorizedParty: null, scopes: ["data:read"] };

// Who may see a user's data under a scope: that user, its manager, or a member of a team the user
// authorized with that scope (the store answers the last as `grantedThroughTeam`).
describe("decideAccess", () => {
  it.each<{ name: string; userId: string; facts: AccessFacts; allowed: boolean }>([
    {
      name: "the user itself",
      userId: "coach",
      facts: { managerId: null, grantedThroughTeam: false },
      allowed: true,
    },
    {
      name: "the user itself, not yet stored",
      userId: "coach",
      facts: { managerId: undefined, grantedThroughTeam: false },
      allowed: true,
    },
    {
      name: "the user's manager",
      userId: "athlete",
      facts: { managerId: "coach", grantedThroughTeam: false },
      allowed: true,
    },
    {
      name: "a member of a team the user authorized with the scope",
      userId: "athlete",
      facts: { managerId: null, grantedThroughTeam: true },
      allowed: true,
    },
    {
      name: "another user's manager with a team grant",
      userId: "athlete",
      facts: { managerId: "other-coach", grantedThroughTeam: true },
      allowed: true,
    },
    {
      name: "no relation to a regular user",
      userId: "athlete",
      facts: { managerId: null, grantedThroughTeam: false },
      allowed: false,
    },
    {
      name: "no relation to another manager's user",
      userId: "athlete",
      facts: { managerId: "other-coach", grantedThroughTeam: false },
      allowed: false,
    },
    {
      name: "a user unknown to the store",
      userId: "ghost",
      facts: { managerId: undefined, grantedThroughTeam: false },
      allowed: false,
    },
  ])("$name → allowed: $allowed", ({ userId, facts, allowed }) => {
    expect(decideAccess(coach, userId, facts)).toBe(allowed);
  });

  // The question is about the token's `sub`; its azp gains nothing by itself.
  it("gives a delegated token the access of its sub, not of its azp", () => {
    const delegated: Principal = {
      userId: "athlete",
      authorizedParty: "coach",
      scopes: ["data:read"],
    };
    expect(
      decideAccess(delegated, "athlete", { managerId: "coach", grantedThroughTeam: false }),
    ).toBe(true);
    expect(
      decideAccess(delegated, "other", { managerId: "coach", grantedThroughTeam: false }),
    ).toBe(false);
  });
});
