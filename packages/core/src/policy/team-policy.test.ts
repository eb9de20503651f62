import { describe, expect, it } from "vitest";
import { Forbidden, NotFound, type TeamsError } from "../errors.js";
import { messages } from "./messages.js";
import {
  decideListTeamUsers,
  decideManageTeam,
  decideOwnerChange,
  decideReadTeam,
  decideRemoveMember,
  type Role,
} from "./team-policy.js";

type Refusal = { error: typeof Forbidden | typeof NotFound; message: string } | null;

const allowed: Refusal = null;
const teamNotFound: Refusal = { error: NotFound, message: messages.teamNotFound };
const ownerRequired: Refusal = { error: Forbidden, message: messages.ownerRequired };
const lastOwner: Refusal = { error: Forbidden, message: messages.lastOwner };

/** Names each row's outcome so the output reads as the specification. */
const withOutcome = <R extends { expected: Refusal }>(rows: R[]) =>
  rows.map((row) => ({
    ...row,
    outcome:
      row.expected === null ? "allowed" : `${row.expected.error.name} "${row.expected.message}"`,
  }));

function expectDecision(result: TeamsError | null, expected: Refusal): void {
  if (expected === null) {
    expect(result).toBeNull();
    return;
  }
  expect(result).toBeInstanceOf(expected.error);
  expect(result?.message).toBe(expected.message);
}

// DESIGN §3: GET /teams/{id}/users is for members (owner or member); 404 with the same bytes for
// "no such team" and "not a member". A missing team reaches the decision as role null too.
describe("decideListTeamUsers", () => {
  it.each(
    withOutcome<{ name: string; role: Role; expected: Refusal }>([
      { name: "an owner", role: "owner", expected: allowed },
      { name: "a member", role: "member", expected: allowed },
      { name: "a non-member (or a team that does not exist)", role: null, expected: teamNotFound },
    ]),
  )("$name → $outcome", ({ role, expected }) => {
    expectDecision(decideListTeamUsers(role), expected);
  });

  it("refuses a non-member exactly as it answers a missing team", () => {
    const refusal = decideListTeamUsers(null);
    const missingTeam = new NotFound(messages.teamNotFound);
    expect(refusal).toBeInstanceOf(NotFound);
    expect(refusal?.message).toBe("Team not found");
    expect({ kind: refusal?.kind, name: refusal?.name, message: refusal?.message }).toEqual({
      kind: missingTeam.kind,
      name: missingTeam.name,
      message: missingTeam.message,
    });
  });
});

// README "Decisions": GET /teams/{id} is visible to members and to users who authorized it.
describe("decideReadTeam", () => {
  it.each(
    withOutcome<{ name: string; role: Role; authorized: boolean; expected: Refusal }>([
      { name: "an owner", role: "owner", authorized: false, expected: allowed },
      { name: "a member", role: "member", authorized: false, expected: allowed },
      {
        name: "a member who also authorized it",
        role: "member",
        authorized: true,
        expected: allowed,
      },
      { name: "a non-member who authorized it", role: null, authorized: true, expected: allowed },
      { name: "anyone else", role: null, authorized: false, expected: teamNotFound },
    ]),
  )("$name → $outcome", ({ role, authorized, expected }) => {
    expectDecision(decideReadTeam(role, authorized), expected);
  });
});

// DESIGN §4: owners edit and delete a team and put members; non-members see no team at all.
describe("decideManageTeam", () => {
  it.each(
    withOutcome<{ name: string; role: Role; expected: Refusal }>([
      { name: "an owner", role: "owner", expected: allowed },
      { name: "a member", role: "member", expected: ownerRequired },
      { name: "a non-member", role: null, expected: teamNotFound },
    ]),
  )("$name → $outcome", ({ role, expected }) => {
    expectDecision(decideManageTeam(role), expected);
  });

  it("words the member's refusal for a client", () => {
    expect(decideManageTeam("member")?.message).toBe("Only a team owner can do this");
  });
});

// DESIGN §4: DELETE /teams/{id}/members/{user_id} is for owners; a member may remove itself.
describe("decideRemoveMember", () => {
  it.each(
    withOutcome<{ name: string; caller: string; role: Role; target: string; expected: Refusal }>([
      {
        name: "an owner removes a member",
        caller: "o",
        role: "owner",
        target: "m",
        expected: allowed,
      },
      {
        name: "an owner removes another owner",
        caller: "o",
        role: "owner",
        target: "o2",
        expected: allowed,
      },
      // The last-owner rule is decided apart (decideOwnerChange), on the target's role and the count.
      {
        name: "an owner removes itself",
        caller: "o",
        role: "owner",
        target: "o",
        expected: allowed,
      },
      {
        name: "a member removes itself",
        caller: "m",
        role: "member",
        target: "m",
        expected: allowed,
      },
      {
        name: "a member removes another member",
        caller: "m",
        role: "member",
        target: "m2",
        expected: ownerRequired,
      },
      {
        name: "a member removes an owner",
        caller: "m",
        role: "member",
        target: "o",
        expected: ownerRequired,
      },
      {
        name: "a non-member removes a member",
        caller: "x",
        role: null,
        target: "m",
        expected: teamNotFound,
      },
      {
        name: "a non-member removes itself",
        caller: "x",
        role: null,
        target: "x",
        expected: teamNotFound,
      },
    ]),
  )("$name → $outcome", ({ caller, role, target, expected }) => {
    expectDecision(decideRemoveMember(caller, role, target), expected);
  });
});

// DESIGN §4: a team never loses its last owner (README: through demotion or removal, 403).
describe("decideOwnerChange", () => {
  it.each(
    withOutcome<{ name: string; from: Role; to: Role; owners: number; expected: Refusal }>([
      {
        name: "demoting the only owner",
        from: "owner",
        to: "member",
        owners: 1,
        expected: lastOwner,
      },
      { name: "removing the only owner", from: "owner", to: null, owners: 1, expected: lastOwner },
      {
        name: "demoting one of two owners",
        from: "owner",
        to: "member",
        owners: 2,
        expected: allowed,
      },
      { name: "removing one of two owners", from: "owner", to: null, owners: 2, expected: allowed },
      {
        name: "putting the only owner as owner again",
        from: "owner",
        to: "owner",
        owners: 1,
        expected: allowed,
      },
      { name: "promoting a member", from: "member", to: "owner", owners: 1, expected: allowed },
      {
        name: "putting a member as member again",
        from: "member",
        to: "member",
        owners: 1,
        expected: allowed,
      },
      { name: "removing a member", from: "member", to: null, owners: 1, expected: allowed },
      { name: "adding a member", from: null, to: "member", owners: 1, expected: allowed },
      { name: "adding an owner", from: null, to: "owner", owners: 1, expected: allowed },
      // A team whose last owner was deleted as a user keeps its members and can be given an owner.
      {
        name: "removing a member of a team left without owners",
        from: "member",
        to: null,
        owners: 0,
        expected: allowed,
      },
      {
        name: "giving an ownerless team an owner",
        from: null,
        to: "owner",
        owners: 0,
        expected: allowed,
      },
      {
        name: "promoting a member of an ownerless team",
        from: "member",
        to: "owner",
        owners: 0,
        expected: allowed,
      },
    ]),
  )("$name → $outcome", ({ from, to, owners, expected }) => {
    expectDecision(decideOwnerChange(from, to, owners), expected);
  });

  it("words the refusal for a client", () => {
    expect(decideOwnerChange("owner", null, 1)?.message).toBe(
      "A team must keep at least one owner",
    );
  });

  it("never refuses a change to a member, whatever the owner count", () => {
    for (const owners of [0, 1, 2, 5]) {
      for (const to of ["owner", "member", null] as const) {
        expect(decideOwnerChange("member", to, owners)).toBeNull();
      }
    }
  });
});
