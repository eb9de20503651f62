import { describe, expect, it } from "vitest";
import { Forbidden, Invalid, NotFound } from "../errors.js";
import type { Principal } from "../principal.js";
import { messages } from "./messages.js";
import {
  type CallerFacts,
  decideAdmin,
  decideCreateManagedUser,
  decideListedUsers,
  decideManagedUserTarget,
  decideManagerAssignment,
  type ListedCandidate,
  listedUserScopes,
} from "./user-policy.js";

const token = (
  userId: string,
  authorizedParty: string | null,
  scopes: string[] = [],
): Principal => ({
  userId,
  authorizedParty,
  scopes,
});

// DESIGN §4: POST /api/v1/users/ creates a user managed by the caller. README: managed users are one
// level deep, and managed users and delegated tokens cannot create managed users.
describe("decideCreateManagedUser", () => {
  it.each<{
    name: string;
    principal: Principal;
    caller: CallerFacts | undefined;
    allowed: boolean;
  }>([
    {
      name: "a regular user",
      principal: token("coach", null),
      caller: { managerId: null },
      allowed: true,
    },
    {
      name: "a regular user whose token has azp equal to sub",
      principal: token("coach", "coach"),
      caller: { managerId: null },
      allowed: true,
    },
    // Users first seen in a token are created on the fly; a caller not yet stored is a regular user.
    {
      name: "a caller not yet in the store",
      principal: token("newcomer", null),
      caller: undefined,
      allowed: true,
    },
    {
      name: "a managed user",
      principal: token("athlete", null),
      caller: { managerId: "coach" },
      allowed: false,
    },
    {
      name: "a managed user whose token has azp equal to sub",
      principal: token("athlete", "athlete"),
      caller: { managerId: "coach" },
      allowed: false,
    },
    {
      name: "a delegated token for a regular user",
      principal: token("coach", "app"),
      caller: { managerId: null },
      allowed: false,
    },
    {
      name: "a delegated token for its own managed user",
      principal: token("athlete", "coach"),
      caller: { managerId: "coach" },
      allowed: false,
    },
    {
      name: "a delegated token for an unknown user",
      principal: token("ghost", "coach"),
      caller: undefined,
      allowed: false,
    },
  ])("$name → allowed: $allowed", ({ principal, caller, allowed }) => {
    const result = decideCreateManagedUser(principal, caller);
    if (allowed) {
      expect(result).toBeNull();
    } else {
      expect(result).toBeInstanceOf(Forbidden);
      expect(result?.message).toBe(messages.managedCannotManage);
      expect(result?.message).toBe(
        "Managed users and delegated tokens cannot create managed users",
      );
    }
  });
});

// DESIGN §4: administration takes a token with the scope `admin`.
describe("decideAdmin", () => {
  it.each<{ name: string; scopes: string[]; allowed: boolean }>([
    { name: "only admin", scopes: ["admin"], allowed: true },
    { name: "admin among others", scopes: ["openid", "data:read", "admin"], allowed: true },
    { name: "no scopes", scopes: [], allowed: false },
    {
      name: "every other scope",
      scopes: ["data:read", "data:write", "profile", "openid", "offline_access"],
      allowed: false,
    },
    { name: "Admin in another case", scopes: ["Admin"], allowed: false },
    { name: "a scope merely containing admin", scopes: ["admin:read"], allowed: false },
    { name: "a space-separated claim left unsplit", scopes: ["openid admin"], allowed: false },
  ])("$name → allowed: $allowed", ({ scopes, allowed }) => {
    const result = decideAdmin(token("platform", null, scopes));
    if (allowed) {
      expect(result).toBeNull();
    } else {
      expect(result).toBeInstanceOf(Forbidden);
      expect(result?.message).toBe("This operation requires the admin scope");
    }
  });
});

// PUT /api/v1/admin/users/{user_id} with manager_id: managers are regular users (one level, no
// cycles); refusals are 422 on the body's manager_id, in pydantic's words.
describe("decideManagerAssignment", () => {
  interface Row {
    name: string;
    userId: string;
    manager: CallerFacts | undefined;
    managesOthers: boolean;
    managerId: string;
    /** The issue's message, or null when allowed. */
    msg: string | null;
  }
  const rows: Row[] = [
    {
      name: "a regular, existing manager",
      userId: "athlete",
      manager: { managerId: null },
      managesOthers: false,
      managerId: "coach",
      msg: null,
    },
    {
      name: "the user itself",
      userId: "athlete",
      manager: { managerId: null },
      managesOthers: false,
      managerId: "athlete",
      msg: "Value error, A user cannot manage itself",
    },
    {
      name: "a manager unknown to the store",
      userId: "athlete",
      manager: undefined,
      managesOthers: false,
      managerId: "ghost",
      msg: "Value error, User not found: ghost",
    },
    {
      name: "a manager that is itself managed",
      userId: "athlete",
      manager: { managerId: "head-coach" },
      managesOthers: false,
      managerId: "assistant",
      msg: "Value error, A managed user cannot manage other users",
    },
    {
      name: "a user that manages others",
      userId: "assistant",
      manager: { managerId: null },
      managesOthers: true,
      managerId: "head-coach",
      msg: "Value error, A user who manages other users cannot become a managed user",
    },
  ];
  it.each(
    rows.map((row) => ({
      ...row,
      outcome: row.msg === null ? "allowed" : `Invalid manager_id "${row.msg}"`,
    })),
  )("$name → $outcome", ({ userId, manager, managesOthers, managerId, msg }) => {
    const result = decideManagerAssignment(userId, manager, managesOthers, managerId);
    if (msg === null) {
      expect(result).toBeNull();
      return;
    }
    expect(result).toBeInstanceOf(Invalid);
    expect((result as Invalid).issues).toEqual([
      { type: "value_error", loc: ["manager_id"], msg, input: managerId },
    ]);
  });
});

// DESIGN §4: GET/PUT/DELETE /api/v1/users/{user_id} serve the caller's managed users only; everyone
// else (the caller included) and unknown ids get one and the same 404.
describe("decideManagedUserTarget", () => {
  it.each<{ name: string; target: CallerFacts | undefined; allowed: boolean }>([
    { name: "a user the caller manages", target: { managerId: "coach" }, allowed: true },
    { name: "a user someone else manages", target: { managerId: "rival" }, allowed: false },
    { name: "a regular user (the caller itself too)", target: { managerId: null }, allowed: false },
    { name: "no such user", target: undefined, allowed: false },
  ])("$name: allowed=$allowed", ({ target, allowed }) => {
    const refusal = decideManagedUserTarget("coach", target);
    if (allowed) expect(refusal).toBeNull();
    else {
      expect(refusal).toBeInstanceOf(NotFound);
      expect(refusal?.message).toBe(messages.userNotFound);
    }
  });
});

// DESIGN §4: each listed user comes with the scopes the caller can use.
describe("listedUserScopes", () => {
  it.each<{
    name: string;
    relation: "self" | "managed" | "shared";
    granted: string[][];
    want: string[];
  }>([
    {
      name: "the caller itself",
      relation: "self",
      granted: [],
      want: ["data:read", "data:write", "profile"],
    },
    {
      name: "a managed user",
      relation: "managed",
      granted: [],
      want: ["data:read", "data:write", "profile"],
    },
    { name: "one team's grant", relation: "shared", granted: [["data:read"]], want: ["data:read"] },
    {
      name: "two teams' grants, merged in canonical order",
      relation: "shared",
      granted: [["profile"], ["data:write", "profile"]],
      want: ["data:write", "profile"],
    },
    { name: "a grant of nothing", relation: "shared", granted: [[]], want: [] },
  ])("$name", ({ relation, granted, want }) => {
    expect(listedUserScopes(relation, granted as never)).toEqual(want);
  });
});

describe("decideListedUsers", () => {
  type U = { id: string; display_name: string };
  const keyOf = (u: U) => [u.display_name, u.id] as const;
  const user = (id: string, display_name = id): U => ({ id, display_name });
  const candidates: ListedCandidate<U>[] = [
    { user: user("coach", "Zed"), relation: "self" },
    { user: user("kid", "Bob"), relation: "managed" },
    { user: user("ann", "Ann"), relation: "shared", granted: [["data:read"]] },
    // A managed user who also authorized one of the caller's teams is listed once, as managed.
    { user: user("kid", "Bob"), relation: "shared", granted: [["profile"]] },
    // The caller who authorized its own team is listed once, as itself.
    { user: user("coach", "Zed"), relation: "shared", granted: [["profile"]] },
  ];
  const ids = (rows: { user: U }[]) => rows.map((r) => r.user.id);

  it.each<{ name: string; managed: boolean; shared: boolean; want: string[] }>([
    { name: "everything", managed: true, shared: true, want: ["ann", "kid", "coach"] },
    { name: "no managed users", managed: false, shared: true, want: ["ann", "kid", "coach"] },
    { name: "no shared users", managed: true, shared: false, want: ["kid", "coach"] },
    { name: "only the caller", managed: false, shared: false, want: ["coach"] },
  ])("$name: $want", ({ managed, shared, want }) => {
    const rows = decideListedUsers(
      candidates,
      { includeManaged: managed, includeShared: shared },
      keyOf,
    );
    expect(ids(rows)).toEqual(want);
  });

  it("keeps the closest relation's scopes and starts after the cursor's key", () => {
    const rows = decideListedUsers(
      candidates,
      { includeManaged: true, includeShared: true },
      keyOf,
    );
    expect(rows.map((r) => r.scopes)).toEqual([
      ["data:read"],
      ["data:read", "data:write", "profile"],
      ["data:read", "data:write", "profile"],
    ]);
    const after = decideListedUsers(
      candidates,
      { includeManaged: true, includeShared: true },
      keyOf,
      ["Ann", "ann"],
    );
    expect(ids(after)).toEqual(["kid", "coach"]);
  });
});
