import { describe, expect, it } from "vitest";
import { isDelegated, type Principal } from "./principal.js";

// DESIGN §2: a delegated token is one whose `azp` is present and differs from `sub`.
describe("isDelegated", () => {
  it.each<{ name: string; userId: string; authorizedParty: string | null; delegated: boolean }>([
    { name: "no azp (a regular token)", userId: "coach", authorizedParty: null, delegated: false },
    { name: "azp equal to sub", userId: "coach", authorizedParty: "coach", delegated: false },
    { name: "azp of another party", userId: "athlete", authorizedParty: "coach", delegated: true },
    // Ids are opaque: compared exactly, so a case difference is another party.
    {
      name: "azp differing only in case",
      userId: "coach",
      authorizedParty: "Coach",
      delegated: true,
    },
    // An empty azp is present and differs from sub; it manages no one, so delegation still fails.
    { name: "azp present but empty", userId: "athlete", authorizedParty: "", delegated: true },
  ])("$name → delegated: $delegated", ({ userId, authorizedParty, delegated }) => {
    const principal: Principal = { userId, authorizedParty, scopes: [] };
    expect(isDelegated(principal)).toBe(delegated);
  });

  it("does not depend on the scopes a token carries", () => {
    const scopes = ["data:read", "data:write", "profile", "openid", "offline_access", "admin"];
    expect(isDelegated({ userId: "athlete", authorizedParty: "coach", scopes })).toBe(true);
    expect(isDelegated({ userId: "coach", authorizedParty: null, scopes })).toBe(false);
  });
});
