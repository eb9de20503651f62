import { messages } from "@teams/core";
import { teamBody } from "@teams/core/testing";

// Every endpoint of the API, on both mounts, as calls with a team id and a user id in the places a
// caller chooses them. The bodies are valid and destructive on purpose: a request that got past a
// check it should have failed would change the store, and the catalogue would see it.

/** Who makes the call when it is made with a valid token. */
export type Caller = "coach" | "annByCoach" | "admin";

export interface Call {
  method: string;
  path: string;
  body?: unknown;
}

export interface Endpoint {
  name: string;
  caller: Caller;
  rest(team: string, user: string): Call;
  /** The tRPC procedure and its input; queries travel in the URL, mutations as the body. */
  trpc(
    team: string,
    user: string,
  ): { kind: "query" | "mutation"; procedure: string; input?: unknown };
  /** What a team id that names no team gets (null: the endpoint takes no team id). */
  missingTeam: { status: number; detail: string } | null;
  /** What a user id that names no user gets (null: the endpoint takes no user id). */
  missingUser: { status: number; detail: string } | { status: 200; allowed: false } | null;
  /** The endpoint also creates what it is given (admin PUT): hostile ids that could be ids are not sent. */
  creates?: boolean;
}

const e = encodeURIComponent;
const teamNotFound = { status: 404, detail: messages.teamNotFound };
const userNotFound = { status: 404, detail: messages.userNotFound };
const memberNotFound = { status: 404, detail: messages.memberNotFound };
const hijack = teamBody("Hijacked");

export const ENDPOINTS: Endpoint[] = [
  {
    name: "list teams",
    caller: "coach",
    rest: () => ({ method: "GET", path: "/api/v1/teams/" }),
    trpc: () => ({ kind: "query", procedure: "teams.list" }),
    missingTeam: null,
    missingUser: null,
  },
  {
    name: "list authorized teams",
    caller: "coach",
    rest: () => ({ method: "GET", path: "/api/v1/teams/authorized" }),
    trpc: () => ({ kind: "query", procedure: "teams.authorized" }),
    missingTeam: null,
    missingUser: null,
  },
  {
    name: "authorize",
    caller: "annByCoach",
    rest: (t) => ({
      method: "POST",
      path: `/api/v1/teams/${e(t)}/authorize`,
      body: { scopes: ["data:read", "data:write"] },
    }),
    trpc: (t) => ({
      kind: "mutation",
      procedure: "teams.authorize",
      input: { team_id: t, scopes: ["data:read", "data:write"] },
    }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "revoke",
    caller: "annByCoach",
    rest: (t) => ({ method: "DELETE", path: `/api/v1/teams/${e(t)}/authorize` }),
    trpc: (t) => ({ kind: "mutation", procedure: "teams.revoke", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "list team users",
    caller: "coach",
    rest: (t) => ({ method: "GET", path: `/api/v1/teams/${e(t)}/users` }),
    trpc: (t) => ({ kind: "query", procedure: "teams.users", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "get team user",
    caller: "coach",
    rest: (t, u) => ({ method: "GET", path: `/api/v1/teams/${e(t)}/users/${e(u)}` }),
    trpc: (t, u) => ({ kind: "query", procedure: "teams.user", input: { team_id: t, user_id: u } }),
    missingTeam: teamNotFound,
    missingUser: userNotFound,
  },
  {
    name: "create team",
    caller: "coach",
    rest: () => ({ method: "POST", path: "/api/v1/teams/", body: hijack }),
    trpc: () => ({ kind: "mutation", procedure: "manage.createTeam", input: hijack }),
    missingTeam: null,
    missingUser: null,
  },
  {
    name: "get team",
    caller: "coach",
    rest: (t) => ({ method: "GET", path: `/api/v1/teams/${e(t)}` }),
    trpc: (t) => ({ kind: "query", procedure: "manage.getTeam", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "update team",
    caller: "coach",
    rest: (t) => ({ method: "PATCH", path: `/api/v1/teams/${e(t)}`, body: { name: "Hijacked" } }),
    trpc: (t) => ({
      kind: "mutation",
      procedure: "manage.updateTeam",
      input: { team_id: t, name: "Hijacked" },
    }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "delete team",
    caller: "coach",
    rest: (t) => ({ method: "DELETE", path: `/api/v1/teams/${e(t)}` }),
    trpc: (t) => ({ kind: "mutation", procedure: "manage.deleteTeam", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "list members",
    caller: "coach",
    rest: (t) => ({ method: "GET", path: `/api/v1/teams/${e(t)}/members` }),
    trpc: (t) => ({ kind: "query", procedure: "manage.members", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "put member",
    caller: "coach",
    rest: (t, u) => ({
      method: "PUT",
      path: `/api/v1/teams/${e(t)}/members/${e(u)}`,
      body: { role: "owner" },
    }),
    trpc: (t, u) => ({
      kind: "mutation",
      procedure: "manage.putMember",
      input: { team_id: t, user_id: u, role: "owner" },
    }),
    missingTeam: teamNotFound,
    missingUser: userNotFound,
  },
  {
    name: "remove member",
    caller: "coach",
    rest: (t, u) => ({ method: "DELETE", path: `/api/v1/teams/${e(t)}/members/${e(u)}` }),
    trpc: (t, u) => ({
      kind: "mutation",
      procedure: "manage.removeMember",
      input: { team_id: t, user_id: u },
    }),
    missingTeam: teamNotFound,
    missingUser: memberNotFound,
  },
  {
    name: "create managed user",
    caller: "coach",
    rest: () => ({ method: "POST", path: "/api/v1/users/", body: { first_name: "Eve" } }),
    trpc: () => ({
      kind: "mutation",
      procedure: "manage.createManagedUser",
      input: { first_name: "Eve" },
    }),
    missingTeam: null,
    missingUser: null,
  },
  {
    name: "list users",
    caller: "coach",
    rest: () => ({ method: "GET", path: "/api/v1/users/" }),
    trpc: () => ({ kind: "query", procedure: "manage.users" }),
    missingTeam: null,
    missingUser: null,
  },
  {
    name: "access check",
    caller: "coach",
    rest: (_, u) => ({ method: "GET", path: `/api/v1/access?user_id=${e(u)}&scope=data:read` }),
    trpc: (_, u) => ({
      kind: "query",
      procedure: "manage.canAccess",
      input: { user_id: u, scope: "data:read" },
    }),
    missingTeam: null,
    missingUser: { status: 200, allowed: false },
  },
  {
    name: "admin put user",
    caller: "admin",
    rest: (_, u) => ({
      method: "PUT",
      path: `/api/v1/admin/users/${e(u)}`,
      body: { first_name: "Eve" },
    }),
    trpc: (_, u) => ({
      kind: "mutation",
      procedure: "admin.putUser",
      input: { user_id: u, first_name: "Eve" },
    }),
    missingTeam: null,
    missingUser: null,
    creates: true,
  },
  {
    name: "admin delete user",
    caller: "admin",
    rest: (_, u) => ({ method: "DELETE", path: `/api/v1/admin/users/${e(u)}` }),
    trpc: (_, u) => ({ kind: "mutation", procedure: "admin.deleteUser", input: { user_id: u } }),
    missingTeam: null,
    missingUser: userNotFound,
  },
  {
    name: "admin put team",
    caller: "admin",
    rest: (t) => ({ method: "PUT", path: `/api/v1/admin/teams/${e(t)}`, body: hijack }),
    trpc: (t) => ({
      kind: "mutation",
      procedure: "admin.putTeam",
      input: { team_id: t, ...hijack },
    }),
    missingTeam: null,
    missingUser: null,
    creates: true,
  },
  {
    name: "admin delete team",
    caller: "admin",
    rest: (t) => ({ method: "DELETE", path: `/api/v1/admin/teams/${e(t)}` }),
    trpc: (t) => ({ kind: "mutation", procedure: "admin.deleteTeam", input: { team_id: t } }),
    missingTeam: teamNotFound,
    missingUser: null,
  },
  {
    name: "admin put member",
    caller: "admin",
    rest: (t, u) => ({
      method: "PUT",
      path: `/api/v1/admin/teams/${e(t)}/members/${e(u)}`,
      body: { role: "owner" },
    }),
    trpc: (t, u) => ({
      kind: "mutation",
      procedure: "admin.putMember",
      input: { team_id: t, user_id: u, role: "owner" },
    }),
    missingTeam: teamNotFound,
    missingUser: userNotFound,
  },
  {
    name: "admin delete member",
    caller: "admin",
    rest: (t, u) => ({ method: "DELETE", path: `/api/v1/admin/teams/${e(t)}/members/${e(u)}` }),
    trpc: (t, u) => ({
      kind: "mutation",
      procedure: "admin.deleteMember",
      input: { team_id: t, user_id: u },
    }),
    missingTeam: teamNotFound,
    missingUser: memberNotFound,
  },
];

/** The ids the sweeps use by default: a team the callers may act on and a member of it. */
export const DEFAULT_TEAM = "club";
export const DEFAULT_USER = "assistant";
