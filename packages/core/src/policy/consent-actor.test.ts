import { describe, expect, it } from "vitest";
import type { Principal } from "../principal.js";
import { type ChangeEntry, type ChangeOrigin, decideChangeOrigin } from "./consent-actor.js";

const own = (userId: string): Principal => ({ userId, authorizedParty: null, scopes: [] });
const byManager: Principal = { userId: "ann", authorizedParty: "coach", scopes: ["data:read"] };
const throughTeam: Principal = { ...byManager, authorizedParty: "assistant", teamId: "club" };

// DESIGN §7: the actor is the principal (`sub`, acting user) and how it acted; the cause is why.
describe("decideChangeOrigin", () => {
  const rows: { case: string; principal: Principal; entry: ChangeEntry; expected: ChangeOrigin }[] =
    [
      {
        case: "consent in the browser",
        principal: own("carl"),
        entry: { kind: "consent", via: "browser" },
        expected: {
          actor: { user_id: "carl", authorized_party: null, via: "browser" },
          cause: "user",
        },
      },
      {
        case: "consent written by the service for the user (the demo)",
        principal: own("carl"),
        entry: { kind: "consent", via: "service" },
        expected: {
          actor: { user_id: null, authorized_party: null, via: "service" },
          cause: "user",
        },
      },
      {
        case: "a manager's delegated token",
        principal: byManager,
        entry: { kind: "delegation" },
        expected: {
          actor: { user_id: "ann", authorized_party: "coach", via: "manager_token" },
          cause: "manager",
        },
      },
      {
        case: "a team member's delegated token",
        principal: throughTeam,
        entry: { kind: "delegation" },
        expected: {
          actor: { user_id: "ann", authorized_party: "assistant", via: "team_token" },
          cause: "manager",
        },
      },
      {
        case: "the team's owner deletes it",
        principal: own("coach"),
        entry: { kind: "team-deletion", as: "owner" },
        expected: {
          actor: { user_id: "coach", authorized_party: null, via: "owner" },
          cause: "team_deleted",
        },
      },
      {
        case: "an administrator deletes a team",
        principal: own("platform"),
        entry: { kind: "team-deletion", as: "admin" },
        expected: {
          actor: { user_id: "platform", authorized_party: null, via: "admin" },
          cause: "team_deleted",
        },
      },
      {
        case: "an administrator deletes a user",
        principal: own("platform"),
        entry: { kind: "user-deletion", as: "admin" },
        expected: {
          actor: { user_id: "platform", authorized_party: null, via: "admin" },
          cause: "user_deleted",
        },
      },
      {
        case: "a manager deletes its managed user with its own token",
        principal: own("coach"),
        entry: { kind: "user-deletion", as: "manager" },
        expected: {
          actor: { user_id: "coach", authorized_party: null, via: "manager_token" },
          cause: "user_deleted",
        },
      },
    ];
  it.each(rows)("$case", ({ principal, entry, expected }) => {
    expect(decideChangeOrigin(principal, entry)).toEqual(expected);
  });
});
