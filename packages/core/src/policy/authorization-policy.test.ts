import { describe, expect, it } from "vitest";
import { Forbidden, NotAuthenticated } from "../errors.js";
import type { Principal } from "../principal.js";
import {
  decideAuthorize,
  decideConsent,
  decideDelegation,
  decideRevoke,
  type Subject,
} from "./authorization-policy.js";
import { messages } from "./messages.js";

// DESIGN §3: POST and DELETE /api/v1/teams/{team_id}/authorize take a delegated token whose `sub`
// is a managed user with manager_id == azp; POST also may not grant a scope the token lacks.

/** Not the manager: a token that can never be valid (401); any other refusal is a 403. */
const refusalClass = (message: string) =>
  message === messages.couldNotValidate ? NotAuthenticated : Forbidden;

const ALL_GRANTABLE = ["data:read", "data:write", "profile"] as const;

const token = (
  userId: string,
  authorizedParty: string | null,
  scopes: string[] = [],
): Principal => ({
  userId,
  authorizedParty,
  scopes,
});

interface DelegationRow {
  name: string;
  principal: Principal;
  subject: Subject | undefined;
  /** The refusal's message, or null when allowed. */
  refusal: string | null;
}

// Every token holds every grantable scope so that only the delegation decides.
const delegationRows: DelegationRow[] = [
  {
    name: "a regular token (no azp)",
    principal: token("athlete", null, [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: "coach" },
    refusal: messages.delegatedTokenRequired,
  },
  {
    name: "a token whose azp equals its sub",
    principal: token("athlete", "athlete", [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: "coach" },
    refusal: messages.delegatedTokenRequired,
  },
  {
    name: "a regular token of the manager itself",
    principal: token("coach", null, [...ALL_GRANTABLE]),
    subject: { id: "coach", managerId: null },
    refusal: messages.delegatedTokenRequired,
  },
  {
    name: "azp of a different user than the subject's manager",
    principal: token("athlete", "intruder", [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: "coach" },
    refusal: messages.couldNotValidate,
  },
  {
    name: "a subject that is not managed",
    principal: token("athlete", "coach", [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: null },
    refusal: messages.couldNotValidate,
  },
  {
    name: "a subject unknown to the store",
    principal: token("ghost", "coach", [...ALL_GRANTABLE]),
    subject: undefined,
    refusal: messages.couldNotValidate,
  },
  {
    name: "azp differing from the manager only in case",
    principal: token("athlete", "Coach", [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: "coach" },
    refusal: messages.couldNotValidate,
  },
  {
    name: "a subject managed by the token's azp",
    principal: token("athlete", "coach", [...ALL_GRANTABLE]),
    subject: { id: "athlete", managerId: "coach" },
    refusal: null,
  },
];

describe.each([
  { decision: "decideDelegation", decide: decideDelegation },
  { decision: "decideRevoke", decide: decideRevoke },
  {
    decision: "decideAuthorize",
    decide: (p: Principal, s: Subject | undefined) => decideAuthorize(p, s, ["data:read"]),
  },
])("$decision: who may act for the subject", ({ decide }) => {
  it.each(
    delegationRows.map((row) => ({
      ...row,
      outcome:
        row.refusal === null ? "allowed" : `${refusalClass(row.refusal).name} "${row.refusal}"`,
    })),
  )("$name → $outcome", ({ principal, subject, refusal }) => {
    const result = decide(principal, subject);
    if (refusal === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toBeInstanceOf(refusalClass(refusal));
      expect(result?.message).toBe(refusal);
    }
  });
});

describe("decideAuthorize: no one grants a scope its token does not hold", () => {
  const managed: Subject = { id: "athlete", managerId: "coach" };

  it.each(
    [
      {
        name: "granting the one scope held",
        held: ["data:read"],
        granted: ["data:read"],
        lacking: null,
      },
      {
        name: "granting a subset of the scopes held",
        held: ["data:read", "data:write", "profile", "openid"],
        granted: ["data:read", "profile"],
        lacking: null,
      },
      {
        name: "granting every grantable scope, all held",
        held: [...ALL_GRANTABLE],
        granted: [...ALL_GRANTABLE],
        lacking: null,
      },
      {
        name: "granting one scope not held",
        held: ["data:read"],
        granted: ["data:read", "data:write"],
        lacking: "data:write",
      },
      {
        name: "granting several scopes not held (all listed, in the order granted)",
        held: ["data:read"],
        granted: ["data:read", "data:write", "profile"],
        lacking: "data:write, profile",
      },
      {
        name: "a token with no scopes at all",
        held: [],
        granted: ["profile"],
        lacking: "profile",
      },
      {
        name: "scopes held under other names do not count",
        held: ["admin", "openid", "offline_access", "Data:Read"],
        granted: ["data:read"],
        lacking: "data:read",
      },
    ].map((row: { name: string; held: string[]; granted: string[]; lacking: string | null }) => ({
      ...row,
      outcome: row.lacking === null ? "allowed" : `Forbidden, listing ${row.lacking}`,
    })),
  )("$name → $outcome", ({ held, granted, lacking }) => {
    const result = decideAuthorize(token("athlete", "coach", held), managed, granted);
    if (lacking === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toBeInstanceOf(Forbidden);
      expect(result?.message).toBe(messages.scopesNotHeld(lacking.split(", ")));
      expect(result?.message).toBe(`The token cannot grant scopes it does not hold: ${lacking}`);
    }
  });
});

describe("decideRevoke: withdrawing access needs no scopes", () => {
  it.each<{ name: string; held: string[] }>([
    { name: "a delegated token with no scopes", held: [] },
    { name: "a delegated token with only openid", held: ["openid"] },
  ])("$name may revoke", ({ held }) => {
    expect(
      decideRevoke(token("athlete", "coach", held), { id: "athlete", managerId: "coach" }),
    ).toBe(null);
  });
});

// DESIGN §3 orders the checks; within "who may do it" the delegation is asked first, so a client
// that is not allowed at all learns nothing about the scopes.
describe("decideAuthorize: the delegation refusal comes before the scope refusal", () => {
  it.each<{ name: string; principal: Principal; subject: Subject | undefined; refusal: string }>([
    {
      name: "a regular token lacking the scopes",
      principal: token("athlete", null, []),
      subject: { id: "athlete", managerId: "coach" },
      refusal: messages.delegatedTokenRequired,
    },
    {
      name: "a token whose azp equals sub, lacking the scopes",
      principal: token("athlete", "athlete", []),
      subject: { id: "athlete", managerId: "coach" },
      refusal: messages.delegatedTokenRequired,
    },
    {
      name: "another party's token lacking the scopes",
      principal: token("athlete", "intruder", []),
      subject: { id: "athlete", managerId: "coach" },
      refusal: messages.couldNotValidate,
    },
    {
      name: "an unknown subject, lacking the scopes",
      principal: token("ghost", "coach", []),
      subject: undefined,
      refusal: messages.couldNotValidate,
    },
  ])("$name → $refusal", ({ principal, subject, refusal }) => {
    const result = decideAuthorize(principal, subject, ["data:read", "data:write"]);
    expect(result).toBeInstanceOf(refusalClass(refusal));
    expect(result?.message).toBe(refusal);
  });
});

describe("a regular user authorizing a team for itself (browser consent)", () => {
  const regular = { userId: "carl", authorizedParty: null, scopes: [] };
  it.each([
    ["a regular user with its own token", regular, { id: "carl", managerId: null }, null],
    ["a user first seen (not yet stored)", regular, undefined, null],
    [
      "a token whose azp is its own sub",
      { ...regular, authorizedParty: "carl" },
      { id: "carl", managerId: null },
      null,
    ],
    [
      "a delegated token",
      { ...regular, authorizedParty: "coach" },
      { id: "carl", managerId: null },
      "Forbidden",
    ],
    [
      "a managed user's own token",
      { ...regular, userId: "ann" },
      { id: "ann", managerId: "coach" },
      "Forbidden",
    ],
  ] as const)("%s → refused: %4$s", (_, principal, subject, expected) => {
    const refusal = decideConsent(principal, subject);
    if (expected === null) expect(refusal).toBeNull();
    else {
      expect(refusal).toBeInstanceOf(Forbidden);
      expect(refusal?.message).toBe(
        "Only a regular user acting for itself can authorize a team this way",
      );
    }
  });
});
