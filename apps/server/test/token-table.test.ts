import { messages } from "@teams/core";
import { admin, principal, teamBody } from "@teams/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresSkipReason, reportSkip } from "./hardening/support/stores.js";
import { bearer, type Harness, harness, type TokenClaims } from "./harness.js";

// DESIGN §2's token table over HTTP, one test per row, on both stores (the row of a delegated
// token depends on its subject's manager, read from the store), and the attacks of issue 12
// (items 2 and 3) as written, with their variants, over REST and tRPC.

const skipPostgres = reportSkip("token-table", await postgresSkipReason());
const stores: [string, "sqlite" | "postgres"][] = [
  ["SQLite", "sqlite"],
  ...(skipPostgres ? [] : [["PostgreSQL", "postgres"] as [string, "postgres"]]),
];

/** One request of an endpoint kind, over REST or tRPC. */
interface Call {
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  json?: unknown;
}

const rest = (method: Call["method"], path: string, json?: unknown): Call => ({
  name: `${method} ${path}`,
  method,
  path,
  ...(json !== undefined && { json }),
});
const trpcQuery = (path: string, input: unknown = {}): Call => ({
  name: `tRPC ${path}`,
  method: "GET",
  path: `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
});
const trpcMutation = (path: string, input: unknown = {}): Call => ({
  name: `tRPC ${path}`,
  method: "POST",
  path: `/trpc/${path}`,
  json: input,
});

/** The five endpoints of the reference, in an order where each succeeds for ann's manager. */
const reference: Call[] = [
  rest("GET", "/api/v1/teams/"),
  rest("GET", "/api/v1/teams/authorized"),
  rest("POST", "/api/v1/teams/club/authorize", { scopes: ["data:read"] }),
  rest("DELETE", "/api/v1/teams/club/authorize"),
  trpcQuery("teams.list"),
  trpcQuery("teams.authorized"),
  trpcMutation("teams.authorize", { team_id: "club", scopes: ["data:read"] }),
  trpcMutation("teams.revoke", { team_id: "club" }),
];
/** `GET .../users` is allowed by the table; its own rule then says ann is not a member. */
const teamUsers: Call[] = [
  rest("GET", "/api/v1/teams/club/users"),
  trpcQuery("teams.users", { team_id: "club" }),
];
const management: Call[] = [
  rest("POST", "/api/v1/teams/", teamBody("Taken")),
  rest("GET", "/api/v1/teams/club"),
  rest("PATCH", "/api/v1/teams/club", { name: "Renamed" }),
  rest("GET", "/api/v1/teams/club/members"),
  rest("PUT", "/api/v1/teams/club/members/appx", { role: "owner" }),
  rest("DELETE", "/api/v1/teams/club/members/coach"),
  rest("GET", "/api/v1/teams/club/users/ann"),
  rest("GET", "/api/v1/access?user_id=ann&scope=data:read"),
  rest("DELETE", "/api/v1/teams/club"),
  trpcMutation("manage.createTeam", teamBody("Taken")),
  trpcMutation("manage.updateTeam", { team_id: "club", name: "Renamed" }),
  trpcMutation("manage.putMember", { team_id: "club", user_id: "appx", role: "owner" }),
  trpcMutation("manage.removeMember", { team_id: "club", user_id: "coach" }),
  trpcQuery("manage.members", { team_id: "club" }),
];
const users: Call[] = [
  rest("POST", "/api/v1/users/", { first_name: "Eve", last_name: "Enrolled" }),
  rest("GET", "/api/v1/users/"),
  rest("GET", "/api/v1/users/ben"),
  rest("PUT", "/api/v1/users/ben", { first_name: "Eve" }),
  rest("DELETE", "/api/v1/users/ben"),
  trpcMutation("manage.createManagedUser", { first_name: "Eve", last_name: "Enrolled" }),
  trpcQuery("manage.users"),
  trpcQuery("manage.usersPage", { limit: 1 }),
  trpcQuery("manage.managedUser", { user_id: "ben" }),
  trpcMutation("manage.updateManagedUser", { user_id: "ben", first_name: "Eve" }),
  trpcMutation("manage.deleteManagedUser", { user_id: "ben" }),
];
const administration: Call[] = [
  rest("PUT", "/api/v1/admin/users/zed", { first_name: "Zed", last_name: null, manager_id: null }),
  rest("PUT", "/api/v1/admin/teams/club", teamBody("Seized")),
  rest("DELETE", "/api/v1/admin/teams/club/members/coach"),
  trpcMutation("admin.putMember", { team_id: "club", user_id: "appx", role: "owner" }),
];
const everything = [...reference, ...teamUsers, ...management, ...users, ...administration];

describe.each(stores)("the token table over HTTP on %s", (_, store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ store });
    // m3 is managed by rival, not by coach; appx is an app's own user.
    await h.teams.adminPutUser(admin, "m3", {
      first_name: "M",
      last_name: "Three",
      manager_id: "rival",
    });
    await h.teams.adminPutUser(admin, "appx", {
      first_name: "App",
      last_name: "X",
      manager_id: null,
    });
  });
  afterAll(() => h.close());

  async function call(claims: TokenClaims, c: Call) {
    const res = await h.request(c.path, {
      method: c.method,
      headers: await bearer(claims),
      ...(c.json !== undefined && { json: c.json }),
    });
    const body = await res.json().catch(() => null);
    // REST says `detail`; tRPC says the same text as its error's message.
    const detail = body?.detail ?? body?.error?.message;
    return { status: res.status, detail };
  }

  /** Everything a refusal must leave as it was, read through the core. */
  const snapshot = async () => ({
    club: await h.teams.getTeam(principal("coach"), "club"),
    members: await h.teams.listMembers(principal("coach"), "club"),
    coachUsers: await h.teams.listUsers(principal("coach")),
    annGrants: (await h.teams.listAuthorizedTeams(principal("ann"))).lines,
    m3Teams: await h.teams.listTeams(principal("m3")),
    zed: await h.teams.listUsers(principal("zed")),
  });

  async function refusesAll(claims: TokenClaims, calls: Call[], status: number, detail: string) {
    const before = await snapshot();
    for (const c of calls) expect(await call(claims, c), c.name).toEqual({ status, detail });
    expect(await snapshot()).toEqual(before);
  }

  it("a person: the endpoints' own rules decide; administration only with admin", async () => {
    const coach = { sub: "coach" };
    expect((await call(coach, rest("GET", "/api/v1/teams/"))).status).toBe(200);
    expect((await call(coach, rest("GET", "/api/v1/teams/club"))).status).toBe(200);
    expect((await call(coach, rest("GET", "/api/v1/users/"))).status).toBe(200);
    expect((await call(coach, rest("GET", "/api/v1/teams/club/users"))).status).toBe(200);
    expect(await call(coach, reference[2] as Call)).toEqual({
      status: 403,
      detail: messages.delegatedTokenRequired,
    });
    for (const c of administration) {
      expect(await call(coach, c), c.name).toEqual({ status: 403, detail: messages.adminRequired });
    }
    const platform = { sub: "platform", scope: "admin" };
    expect((await call(platform, administration[0] as Call)).status).toBe(200);
  });

  it("a manager as its managed user: the five endpoints of the reference, nothing else (403)", async () => {
    const annByCoach = { sub: "ann", azp: "coach", scope: "openid data:read" };
    for (const c of reference) expect((await call(annByCoach, c)).status, c.name).toBe(200);
    for (const c of teamUsers) {
      expect(await call(annByCoach, c), c.name).toEqual({
        status: 404,
        detail: messages.teamNotFound,
      });
    }
    await refusesAll(
      annByCoach,
      [...management, ...users, ...administration],
      403,
      messages.delegatedTokenNotHere,
    );
  });

  it("a manager as its managed user, with admin in its scopes, is still refused administration", async () => {
    await refusesAll(
      { sub: "ann", azp: "coach", scope: "admin" },
      administration,
      403,
      messages.delegatedTokenNotHere,
    );
  });

  it("delegated through a team: refused everywhere (403; the principal-token exchange is not served yet)", async () => {
    await refusesAll(
      { sub: "ann", azp: "coach", team_id: "club" },
      everything,
      403,
      messages.teamTokenNotHere,
    );
  });

  it.each([
    ["the subject managed by someone else (m3 by coach)", { sub: "m3", azp: "coach" }],
    ["the subject not managed (carl by coach)", { sub: "carl", azp: "coach" }],
    ["the subject unknown (ghost by coach)", { sub: "ghost", azp: "coach" }],
    ["an app acting for a person (coach by appx)", { sub: "coach", azp: "appx", scope: "openid" }],
  ])("any other delegated token, %s: refused everywhere as invalid (401)", async (__, claims) => {
    await refusesAll(claims, everything, 401, messages.couldNotValidate);
    // A token that can never be valid does not create its subject either.
    await expect(h.teams.adminDeleteUser(admin, "ghost")).rejects.toThrow(messages.userNotFound);
  });
});
