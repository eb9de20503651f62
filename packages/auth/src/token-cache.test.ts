import { describe, expect, it } from "vitest";
import type { Authentication } from "./principal-from-claims.js";
import { createTokenCache } from "./token-cache.js";

function authentication(userId: string): Authentication {
  return {
    principal: { userId, authorizedParty: null, scopes: [] },
    identity: { id: userId, first_name: null, last_name: null },
    token: { issuer: "external", exp: 2_000_000_000 },
  };
}

describe("createTokenCache", () => {
  it("is disabled with size 0", () => {
    expect(createTokenCache(0)).toBeUndefined();
  });

  it("serves an entry only inside [from, until)", () => {
    const cache = createTokenCache(10);
    const entry = { authentication: authentication("a"), from: 100, until: 200 };
    cache?.set("t", entry, 150);
    expect(cache?.get("t", 150)).toBe(entry.authentication);
    expect(cache?.get("t", 199)).toBe(entry.authentication);
    expect(cache?.get("t", 200)).toBeUndefined();
    // Dropped once met outside its window, even if the clock comes back.
    expect(cache?.get("t", 150)).toBeUndefined();
  });

  it("does not serve before `from` (a clock moved back)", () => {
    const cache = createTokenCache(10);
    cache?.set("t", { authentication: authentication("a"), from: 100, until: 200 }, 150);
    expect(cache?.get("t", 99)).toBeUndefined();
  });

  it("does not store an entry outside its window", () => {
    const cache = createTokenCache(10);
    cache?.set("t", { authentication: authentication("a"), from: 100, until: 200 }, 200);
    expect(cache?.get("t", 150)).toBeUndefined();
  });

  it("evicts the oldest entry when full", () => {
    const cache = createTokenCache(2);
    for (const token of ["a", "b", "c"]) {
      cache?.set(token, { authentication: authentication(token), from: 0, until: 1000 }, 1);
    }
    expect(cache?.get("a", 1)).toBeUndefined();
    expect(cache?.get("b", 1)?.principal.userId).toBe("b");
    expect(cache?.get("c", 1)?.principal.userId).toBe("c");
  });

  it("re-setting a token refreshes its position", () => {
    const cache = createTokenCache(2);
    const entry = (id: string) => ({ authentication: authentication(id), from: 0, until: 1000 });
    cache?.set("a", entry("a"), 1);
    cache?.set("b", entry("b"), 1);
    cache?.set("a", entry("a"), 1);
    cache?.set("c", entry("c"), 1);
    expect(cache?.get("a", 1)).toBeDefined();
    expect(cache?.get("b", 1)).toBeUndefined();
  });
});
