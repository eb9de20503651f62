import { describe, expect, it } from "vitest";
import { Forbidden, NotFound } from "../errors.js";
import type { Principal } from "../principal.js";
import type { Scope } from "../scopes.js";
import {
  type BasisFacts,
  basisHolds,
  type DelegationFacts,
  type DelegationRequest,
  decideDelegatedToken,
} from "./delegation-policy.js";
import { messages } from "./messages.js";

// Who may obtain a delegated token (issue 15 point 1), as a table: every refusal names its status
// and detail; every grant its scopes.

const person = (userId: string, scopes: string[] = ["data:read", "data:write", "profile"]) =>
  ({ userId, authorizedParty: null, scopes }) satisfies Principal;

const facts = (over: Partial<DelegationFacts> = {}): DelegationFacts => ({
  subject: { managerId: "coach" },
  callerIsMember: false,
  granted: undefined,
  knowsSubject: false,
  ...over,
});

const ALL: Scope[] = ["data:read", "data:write", "profile"];

interface Refusal {
  name: string;
  caller: Principal;
  request: DelegationRequest;
  facts: DelegationFacts;
  status: 403 | 404;
  detail: string;
}

const refusals: Refusal[] = [
  {
    name: "a delegated caller (a manager's token as its managed user)",
    caller: { userId: "ann", authorizedParty: "coach", scopes: ALL },
    request: { sub: "ben" },
    facts: facts(),
    status: 403,
    detail: messages.delegatedTokenNotHere,
  },
  {
    name: "a token delegated through a team",
    caller: { userId: "ann", authorizedParty: "coach", scopes: ALL, teamId: "club" },
    request: { sub: "ann", teamId: "club" },
    facts: facts({ callerIsMember: true, granted: ALL }),
    status: 403,
    detail: messages.delegatedTokenNotHere,
  },
  {
    name: "an unknown user",
    caller: person("coach"),
    request: { sub: "ghost" },
    facts: facts({ subject: undefined }),
    status: 404,
    detail: messages.userNotFound,
  },
  {
    name: "an unknown user, through a team",
    caller: person("coach"),
    request: { sub: "ghost", teamId: "club" },
    facts: facts({ subject: undefined, callerIsMember: true }),
    status: 404,
    detail: messages.userNotFound,
  },
  {
    name: "not the manager, and a user the caller does not know",
    caller: person("rival"),
    request: { sub: "ann" },
    facts: facts(),
    status: 404,
    detail: messages.userNotFound,
  },
  {
    name: "not the manager of a user who shares with the caller's team",
    caller: person("assistant"),
    request: { sub: "carl" },
    facts: facts({ subject: { managerId: null }, knowsSubject: true }),
    status: 403,
    detail: messages.noAccessToUser,
  },
  {
    name: "not a member of the team, a user the caller does not know",
    caller: person("rival"),
    request: { sub: "carl", teamId: "club" },
    facts: facts({ subject: { managerId: null }, granted: ["data:read"] }),
    status: 404,
    detail: messages.userNotFound,
  },
  {
    name: "not a member of the team, a user the caller knows through another team",
    caller: person("rival"),
    request: { sub: "carl", teamId: "club" },
    facts: facts({ subject: { managerId: null }, granted: ["data:read"], knowsSubject: true }),
    status: 403,
    detail: messages.noAccessToUser,
  },
  {
    name: "a member, but the user did not authorize the team (unknown to the caller)",
    caller: person("assistant"),
    request: { sub: "carl", teamId: "club" },
    facts: facts({ subject: { managerId: null }, callerIsMember: true }),
    status: 404,
    detail: messages.userNotFound,
  },
  {
    name: "a member, the user did not authorize this team but one the caller is in",
    caller: person("assistant"),
    request: { sub: "carl", teamId: "club" },
    facts: facts({ subject: { managerId: null }, callerIsMember: true, knowsSubject: true }),
    status: 403,
    detail: messages.noAccessToUser,
  },
  {
    name: "the manager through a team its managed user did not authorize",
    caller: person("coach"),
    request: { sub: "ann", teamId: "club" },
    facts: facts({ callerIsMember: true }),
    status: 403,
    detail: messages.noAccessToUser,
  },
  {
    name: "scopes beyond what the user granted the team",
    caller: person("assistant"),
    request: { sub: "carl", teamId: "club", scopes: ["data:read", "data:write"] },
    facts: facts({ subject: { managerId: null }, callerIsMember: true, granted: ["data:read"] }),
    status: 403,
    detail: messages.scopesNotDelegable(["data:write"]),
  },
  {
    name: "scopes the caller's own token lacks (management)",
    caller: person("coach", ["data:read"]),
    request: { sub: "ann", scopes: ["data:read", "profile"] },
    facts: facts(),
    status: 403,
    detail: messages.scopesNotDelegable(["profile"]),
  },
  {
    name: "scopes the caller's own token lacks (through a team)",
    caller: person("assistant", ["profile"]),
    request: { sub: "carl", teamId: "club", scopes: ["data:read"] },
    facts: facts({ subject: { managerId: null }, callerIsMember: true, granted: ALL }),
    status: 403,
    detail: messages.scopesNotDelegable(["data:read"]),
  },
  {
    name: "admin, even when the caller holds it",
    caller: person("coach", ["admin", "data:read"]),
    request: { sub: "ann", scopes: ["admin"] },
    facts: facts(),
    status: 403,
    detail: messages.scopesNotDelegable(["admin"]),
  },
  {
    name: "nothing left to delegate (the caller holds none of the granted scopes)",
    caller: person("assistant", ["openid"]),
    request: { sub: "carl", teamId: "club" },
    facts: facts({ subject: { managerId: null }, callerIsMember: true, granted: ["data:read"] }),
    status: 403,
    detail: messages.nothingToDelegate,
  },
  {
    name: "nothing left to delegate (a manager's token with only admin)",
    caller: person("coach", ["admin"]),
    request: { sub: "ann" },
    facts: facts(),
    status: 403,
    detail: messages.nothingToDelegate,
  },
];

describe("decideDelegatedToken: refusals", () => {
  it.each(refusals)("$name: $status $detail", ({ caller, request, facts, status, detail }) => {
    const outcome = decideDelegatedToken(caller, request, facts);
    expect(outcome).toBeInstanceOf(status === 403 ? Forbidden : NotFound);
    expect((outcome as Error).message).toBe(detail);
  });
});

interface Grant {
  name: string;
  caller: Principal;
  request: DelegationRequest;
  facts: DelegationFacts;
  scopes: Scope[];
  teamId?: string;
}

const grants: Grant[] = [
  {
    name: "the manager, by default everything its token holds but admin",
    caller: person("coach", ["openid", "admin", "profile", "data:read", "offline_access"]),
    request: { sub: "ann" },
    facts: facts(),
    scopes: ["data:read", "profile", "openid", "offline_access"],
  },
  {
    name: "the manager, narrowed",
    caller: person("coach"),
    request: { sub: "ann", scopes: ["profile", "data:read", "profile"] },
    facts: facts(),
    scopes: ["data:read", "profile"],
  },
  {
    name: "a member through the team, by default what the user granted it",
    caller: person("assistant"),
    request: { sub: "carl", teamId: "club" },
    facts: facts({
      subject: { managerId: null },
      callerIsMember: true,
      granted: ["data:read", "profile"],
    }),
    scopes: ["data:read", "profile"],
    teamId: "club",
  },
  {
    name: "a member through the team, never what its own token lacks",
    caller: person("assistant", ["profile", "openid"]),
    request: { sub: "carl", teamId: "club" },
    facts: facts({
      subject: { managerId: null },
      callerIsMember: true,
      granted: ["data:read", "profile"],
    }),
    scopes: ["profile"],
    teamId: "club",
  },
  {
    name: "the manager through a team its managed user authorized, at most the grant",
    caller: person("coach"),
    request: { sub: "ann", teamId: "club", scopes: ["data:read"] },
    facts: facts({ callerIsMember: true, granted: ["data:read", "data:write"] }),
    scopes: ["data:read"],
    teamId: "club",
  },
  {
    name: "an external token whose azp is a client (not delegated)",
    caller: { userId: "coach", authorizedParty: "coach", scopes: ["data:read"] },
    request: { sub: "ann" },
    facts: facts(),
    scopes: ["data:read"],
  },
];

describe("decideDelegatedToken: grants", () => {
  it.each(grants)("$name", ({ caller, request, facts, scopes, teamId }) => {
    expect(decideDelegatedToken(caller, request, facts)).toEqual({
      sub: request.sub,
      actor: caller.userId,
      scopes,
      ...(teamId === undefined ? {} : { teamId }),
    });
  });
});

describe("basisHolds", () => {
  const managed = { actor: "coach", scopes: ["data:read"], teamId: null };
  const team = { actor: "assistant", scopes: ["data:read", "profile"], teamId: "club" };
  const basis = (over: Partial<BasisFacts> = {}): BasisFacts => ({
    subjectManagerId: "coach",
    actorIsMember: true,
    granted: ["data:read", "profile"],
    ...over,
  });
  it.each([
    ["managed, still the manager", managed, basis(), true],
    ["managed, another manager", managed, basis({ subjectManagerId: "rival" }), false],
    ["managed, no manager any more", managed, basis({ subjectManagerId: null }), false],
    ["managed, the user is gone", managed, basis({ subjectManagerId: undefined }), false],
    ["team, still granted and a member", team, basis({ subjectManagerId: null }), true],
    [
      "team, granted more now",
      team,
      basis({ granted: ["data:read", "data:write", "profile"] }),
      true,
    ],
    ["team, narrowed below the token", team, basis({ granted: ["data:read"] }), false],
    ["team, revoked", team, basis({ granted: undefined }), false],
    ["team, the actor left the team", team, basis({ actorIsMember: false }), false],
    ["team, the user is gone", team, basis({ subjectManagerId: undefined }), false],
  ] as const)("%s: %s", (_, grant, facts, holds) => {
    expect(basisHolds(grant, facts)).toBe(holds);
  });
});
