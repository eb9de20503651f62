import { describe, expect, it } from "vitest";
import { Forbidden, Invalid } from "../errors.js";
import type { Principal } from "../principal.js";
import { messages } from "./messages.js";
import {
  type CallerFacts,
  decideAdmin,
  decideCreateManagedUser,
  decideManagerAssignment,
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
