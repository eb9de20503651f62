import { isDelegated } from "@teams/core";
import type { JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { authenticationFromClaims } from "./principal-from-claims.js";
import type { ExternalAzp, TokenIssuer } from "./service-token-claims.js";
import { TokenRejected } from "./token-rejected.js";

const base = { exp: 2_000_000_000 };

// The tables below read `azp` as the acting user, as development tokens do; "who acts" says how
// each issuer reads it.
const read = (claims: JWTPayload) => authenticationFromClaims(claims, "development", "client");

describe("sub", () => {
  const cases: [string, unknown, boolean][] = [
    ["a short id", "u", true],
    ["255 characters", "x".repeat(255), true],
    ["256 characters", "x".repeat(256), false],
    ["empty", "", false],
    ["missing", undefined, false],
    ["null", null, false],
    ["numeric", 123, false],
    ["an array", ["u"], false],
    ["an object", { id: "u" }, false],
    ["a boolean", true, false],
  ];
  it.each(cases)("%s → accepted: %s", (_, sub, accepted) => {
    const payload = { ...base, ...(sub !== undefined && { sub }) } as JWTPayload;
    if (accepted) {
      expect(read(payload).principal.userId).toBe(sub);
    } else {
      expect(() => read(payload)).toThrow(TokenRejected);
    }
  });
});

describe("azp", () => {
  const cases: [string, unknown, string | null | "invalid", boolean][] = [
    ["absent", undefined, null, false],
    ["null", null, null, false],
    ["another party (delegated)", "coach-1", "coach-1", true],
    ["the subject itself (not delegated)", "u", "u", false],
    ["numeric", 7, "invalid", false],
    ["an array", ["coach"], "invalid", false],
    ["empty", "", "invalid", false],
    ["256 characters", "c".repeat(256), "invalid", false],
  ];
  it.each(cases)("%s", (_, azp, expected, delegated) => {
    const payload = { ...base, sub: "u", ...(azp !== undefined && { azp }) } as JWTPayload;
    if (expected === "invalid") {
      expect(() => read(payload)).toThrow(TokenRejected);
      return;
    }
    const { principal } = read(payload);
    expect(principal.authorizedParty).toBe(expected);
    expect(isDelegated(principal)).toBe(delegated);
  });
});

describe("team_id", () => {
  const cases: [string, unknown, string | undefined | "invalid"][] = [
    ["absent", undefined, undefined],
    ["null", null, undefined],
    ["a team", "club", "club"],
    ["numeric", 7, "invalid"],
    ["empty", "", "invalid"],
    ["256 characters", "t".repeat(256), "invalid"],
  ];
  it.each(cases)("%s", (_, teamId, expected) => {
    const payload = { ...base, sub: "u", azp: "coach", team_id: teamId } as JWTPayload;
    if (expected === "invalid") {
      expect(() => read(payload)).toThrow(TokenRejected);
      return;
    }
    expect(read(payload).principal.teamId).toBe(expected);
  });
});

describe("scopes", () => {
  const cases: [string, Record<string, unknown>, string[] | "invalid"][] = [
    ["neither claim", {}, []],
    ["scope string", { scope: "data:read profile" }, ["data:read", "profile"]],
    ["scope with extra spaces", { scope: "  data:read   profile  " }, ["data:read", "profile"]],
    // RFC 6749 §3.3: only U+0020 separates; any other whitespace is part of an (unknown) item.
    ["a TAB does not separate", { scope: "data:read\tadmin" }, ["data:read\tadmin"]],
    ["NBSP does not separate", { scope: "data:read\u00a0admin" }, ["data:read\u00a0admin"]],
    ["U+3000 does not separate", { scope: "data:read\u3000admin" }, ["data:read\u3000admin"]],
    ["U+2028 does not separate", { scope: "data:read\u2028admin" }, ["data:read\u2028admin"]],
    ["a newline does not separate", { scope: "data:read\nadmin" }, ["data:read\nadmin"]],
    ["scope items are not trimmed", { scope: "\tadmin\u00a0" }, ["\tadmin\u00a0"]],
    ["empty scope", { scope: "" }, []],
    ["null scope", { scope: null }, []],
    ["scopes array", { scopes: ["data:read", "data:write"] }, ["data:read", "data:write"]],
    ["empty scopes array", { scopes: [] }, []],
    ["scopes items are not trimmed", { scopes: [" admin", "admin\t"] }, [" admin", "admin\t"]],
    ["duplicates merged", { scope: "a a b" }, ["a", "b"]],
    ["both claims, the same set", { scope: "a b", scopes: ["b", "a", "a"] }, ["a", "b"]],
    ["both claims disagree (the attack)", { scope: "data:read", scopes: ["admin"] }, "invalid"],
    ["both claims, one a subset", { scope: "a", scopes: ["a", "b"] }, "invalid"],
    ["both claims, empty and not", { scope: "", scopes: ["admin"] }, "invalid"],
    ["both claims, equal only once trimmed", { scope: "admin", scopes: [" admin"] }, "invalid"],
    ["null scope beside scopes", { scope: null, scopes: ["a"] }, ["a"]],
    ["unknown scopes are kept (the core judges them)", { scope: "admin x:y" }, ["admin", "x:y"]],
    ["scope numeric", { scope: 1 }, "invalid"],
    ["scope an array", { scope: ["a"] }, "invalid"],
    ["scopes a string", { scopes: "a b" }, "invalid"],
    ["scopes with a number", { scopes: ["a", 1] }, "invalid"],
    ["scopes an object", { scopes: { a: true } }, "invalid"],
  ];
  it.each(cases)("%s", (_, extra, expected) => {
    const payload = { ...base, sub: "u", ...extra } as JWTPayload;
    if (expected === "invalid") {
      expect(() => read(payload)).toThrow(TokenRejected);
    } else {
      expect(read(payload).principal.scopes).toEqual(expected);
    }
  });
});

describe("identity", () => {
  const cases: [string, Record<string, unknown>, string | null, string | null][] = [
    ["both names", { given_name: "Ada", family_name: "Lovelace" }, "Ada", "Lovelace"],
    ["no names", {}, null, null],
    ["given name only", { given_name: "Ada" }, "Ada", null],
    ["non-string names are ignored", { given_name: 1, family_name: ["x"] }, null, null],
    ["empty names are absent", { given_name: "", family_name: " " }, null, null],
    ["long names are cut to 100", { given_name: "a".repeat(5000) }, "a".repeat(100), null],
    // A pair cut in half would be text the store refuses; the cut falls before it.
    ["no pair is split", { family_name: `${"a".repeat(99)}😀z` }, null, "a".repeat(99)],
    [
      "names with a lone surrogate are absent",
      { given_name: "a\ud800", family_name: "\udc00b" },
      null,
      null,
    ],
  ];
  it.each(cases)("%s", (_, extra, first, last) => {
    const { identity } = read({ ...base, sub: "u", ...extra } as JWTPayload);
    expect(identity).toEqual({ id: "u", first_name: first, last_name: last });
  });

  it.each([
    ["azp = sub", "u", { id: "u", first_name: "Ada", last_name: null }],
    ["delegated: its subject is never created from it", "coach", null],
  ])("%s", (_, azp, expected) => {
    const payload = { ...base, sub: "u", azp, given_name: "Ada" } as JWTPayload;
    expect(read(payload).identity).toEqual(expected);
  });
});

it("carries the token's iat in the identity, when it has one (a deleted user's older tokens are refused by it)", () => {
  expect(read({ ...base, sub: "u", iat: 1_700_000_000 }).identity).toEqual({
    id: "u",
    first_name: null,
    last_name: null,
    iat: 1_700_000_000,
  });
  expect(read({ ...base, sub: "u" }).identity).not.toHaveProperty("iat");
});

it("returns frozen objects (they may be shared through the cache)", () => {
  const result = read({ ...base, sub: "u", scope: "a" });
  expect(Object.isFrozen(result)).toBe(true);
  expect(Object.isFrozen(result.principal)).toBe(true);
  expect(Object.isFrozen(result.principal.scopes)).toBe(true);
  expect(Object.isFrozen(result.identity)).toBe(true);
});

describe("who acts (DESIGN §2): azp and act.sub by issuer", () => {
  type Row = [TokenIssuer, ExternalAzp, Record<string, unknown>, string | null | "refused"];
  const rows: Row[] = [
    ["development", "client", { azp: "coach" }, "coach"],
    ["development", "client", { act: { sub: "coach" } }, "coach"],
    ["development", "client", { azp: "coach", act: { sub: "coach" } }, "coach"],
    ["development", "client", { azp: "coach", act: { sub: "other" } }, "refused"],
    ["external", "client", { azp: "my-oidc-client" }, null],
    ["external", "client", { azp: "my-oidc-client", act: { sub: "coach" } }, "coach"],
    ["external", "client", { act: { sub: "coach" } }, "coach"],
    // A client id is read as no id at all: whatever it is, it never refuses the token.
    ["external", "client", { azp: "" }, null],
    ["external", "actor", { azp: "coach" }, "coach"],
    ["external", "actor", { act: { sub: "coach" } }, "coach"],
    ["external", "actor", { azp: "coach", act: { sub: "other" } }, "refused"],
    ["external", "client", { act: "coach" }, "refused"],
    ["external", "client", { act: { sub: 7 } }, "refused"],
    ["external", "client", { act: {} }, "refused"],
    ["external", "client", { act: [{ sub: "coach" }] }, "refused"],
    // A nested act is earlier history (RFC 8693 §4.1): the outer sub acts.
    ["external", "client", { act: { sub: "coach", act: { sub: "older" } } }, "coach"],
  ];
  it.each(rows)("%s token, externalAzp %s, %j → %s", (issuer, externalAzp, extra, expected) => {
    const payload = { ...base, sub: "athlete", ...extra } as JWTPayload;
    const readIt = () => authenticationFromClaims(payload, issuer, externalAzp);
    if (expected === "refused") {
      expect(readIt).toThrow(TokenRejected);
      return;
    }
    const { principal, identity } = readIt();
    expect(principal.authorizedParty).toBe(expected);
    expect(isDelegated(principal)).toBe(expected !== null);
    // A regular token names the user it comes from; a delegated one never creates its subject.
    expect(identity === null).toBe(expected !== null);
  });
});

describe("service tokens: kind and actor", () => {
  const service = (extra: Record<string, unknown>) =>
    authenticationFromClaims(
      { ...base, sub: "athlete", jti: "j1", ...extra } as JWTPayload,
      "service",
      "client",
    );
  const grant = { scopes: ["data:read"], exp: 1_999_999_000 };
  type Row = [string, Record<string, unknown>, "accepted" | "refused"];
  const rows: Row[] = [
    ["principal", { teams_kind: "principal" }, "accepted"],
    ["session", { teams_kind: "session" }, "accepted"],
    [
      "delegated with azp and act",
      { teams_kind: "delegated", azp: "coach", act: { sub: "coach" } },
      "accepted",
    ],
    [
      "delegated with a grant",
      { teams_kind: "delegated", azp: "coach", teams_actor_grant: grant },
      "accepted",
    ],
    [
      "delegated through a team",
      { teams_kind: "delegated", azp: "coach", team_id: "club" },
      "accepted",
    ],
    ["no kind", {}, "refused"],
    ["an unknown kind", { teams_kind: "admin" }, "refused"],
    ["delegated without an actor", { teams_kind: "delegated" }, "refused"],
    ["delegated to itself", { teams_kind: "delegated", azp: "athlete" }, "refused"],
    ["principal with azp", { teams_kind: "principal", azp: "coach" }, "refused"],
    ["principal with act", { teams_kind: "principal", act: { sub: "coach" } }, "refused"],
    ["session with azp", { teams_kind: "session", azp: "coach" }, "refused"],
    ["principal with a team", { teams_kind: "principal", team_id: "club" }, "refused"],
    ["principal with a grant", { teams_kind: "principal", teams_actor_grant: grant }, "refused"],
    [
      "a malformed grant",
      { teams_kind: "delegated", azp: "coach", teams_actor_grant: { scopes: "data:read", exp: 1 } },
      "refused",
    ],
    [
      "azp and act differ",
      { teams_kind: "delegated", azp: "coach", act: { sub: "other" } },
      "refused",
    ],
  ];
  it.each(rows)("%s → %s", (_, extra, expected) => {
    if (expected === "refused") {
      expect(() => service(extra)).toThrow(TokenRejected);
      return;
    }
    const { token, principal } = service(extra);
    expect(token).toMatchObject({
      issuer: "service",
      kind: extra.teams_kind,
      jti: "j1",
      exp: base.exp,
    });
    expect(token.actorGrant).toEqual(extra.teams_actor_grant);
    expect(isDelegated(principal)).toBe(extra.teams_kind === "delegated");
  });

  it("says the issuer, jti and exp of other tokens, with no kind", () => {
    const { token } = authenticationFromClaims(
      { ...base, sub: "u", jti: "x" },
      "external",
      "client",
    );
    expect(token).toEqual({ issuer: "external", jti: "x", exp: base.exp });
  });
});
