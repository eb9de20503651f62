import { describe, expect, it } from "vitest";
import { canonicalScopes, decodeScopes, encodeScopes, isGrantable, isScope } from "./scopes.js";

describe("scopes", () => {
  it("merges duplicates into the canonical order", () => {
    expect(canonicalScopes(["profile", "data:read", "profile"])).toEqual(["data:read", "profile"]);
  });

  it("stores a set as the words of an OAuth scope claim and reads it back", () => {
    expect(encodeScopes(["profile", "data:write", "data:write"])).toBe("data:write profile");
    expect(decodeScopes("data:write profile")).toEqual(["data:write", "profile"]);
    expect(decodeScopes("data:read admin bogus")).toEqual(["data:read"]);
  });

  it.each([
    ["data:read", true, true],
    ["data:write", true, true],
    ["profile", true, true],
    ["openid", true, false],
    ["offline_access", true, false],
    ["admin", true, false],
    ["Data:Read", false, false],
    ["", false, false],
    [42, false, false],
  ])("%j is a scope: %s, grantable to a team: %s", (value, scope, grantable) => {
    expect(isScope(value)).toBe(scope);
    expect(isGrantable(value)).toBe(grantable);
  });
});
