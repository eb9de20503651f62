// The rules of Teams restated in plain TypeScript, with no store and no HTTP: who may write what,
// and who must see what. The oracle and race suites compare the real service with this model, so it
// is written from DESIGN.md and the README's decisions, never from the code it checks.

import { canonicalScopes, type GrantableScope, messages, SCOPES } from "@teams/core";

export type Role = "owner" | "member";

export interface ModelUser {
  id: string;
  first: string | null;
  last: string | null;
  manager: string | null;
}

export interface ModelTeam {
  id: string;
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
}

export interface ModelState {
  users: Map<string, ModelUser>;
  teams: Map<string, ModelTeam>;
  /** `team \0 user` → role (ids never hold NUL). */
  members: Map<string, Role>;
  /** `team \0 user` → granted scopes, canonical order. */
  grants: Map<string, GrantableScope[]>;
}

export const pair = (team: string, user: string) => `${team}\u0000${user}`;
const split = (key: string) => key.split("\u0000") as [string, string];

export function emptyState(): ModelState {
  return { users: new Map(), teams: new Map(), members: new Map(), grants: new Map() };
}

export function cloneState(s: ModelState): ModelState {
  return {
    users: new Map(s.users),
    teams: new Map(s.teams),
    members: new Map(s.members),
    grants: new Map(s.grants),
  };
}

/** What a use case answered: a value, or one of the typed refusals with its message. */
export type Outcome =
  | { kind: "ok"; value: unknown }
  | { kind: "not_authenticated" | "forbidden" | "not_found" | "invalid"; message: string };

const ok = (value: unknown = null): Outcome => ({ kind: "ok", value });
const notAuthenticated = (message: string): Outcome => ({ kind: "not_authenticated", message });
const forbidden = (message: string): Outcome => ({ kind: "forbidden", message });
const notFound = (message: string): Outcome => ({ kind: "not_found", message });
const invalid = (message: string): Outcome => ({ kind: "invalid", message });

/** A token as the model sees it: whose, on behalf of whom, holding which scopes. */
export interface Token {
  sub: string;
  azp: string | null;
  scopes: readonly string[];
}

/** The writes the suites drive; each is one use case of the core (admin, delegated or consent). */
export type Op =
  | {
      kind: "putUser";
      id: string;
      first: string | null;
      last: string | null;
      manager: string | null;
    }
  | { kind: "putTeam"; team: ModelTeam }
  | { kind: "putMember"; team: string; user: string; role: Role }
  | { kind: "deleteMember"; team: string; user: string }
  | { kind: "deleteTeam"; team: string }
  | { kind: "deleteUser"; user: string }
  | { kind: "authorize"; token: Token; team: string; scopes: GrantableScope[] }
  | { kind: "revoke"; token: Token; team: string }
  | { kind: "consent"; user: string; team: string; scopes: GrantableScope[] }
  | { kind: "withdraw"; user: string; team: string };

export function describeOp(op: Op): string {
  switch (op.kind) {
    case "authorize":
      return `authorize(${op.token.sub} by ${op.token.azp ?? "-"} [${op.token.scopes.join(" ")}], ${op.team}, ${op.scopes.join(" ")})`;
    case "revoke":
      return `revoke(${op.token.sub} by ${op.token.azp ?? "-"}, ${op.team})`;
    case "putTeam":
      return `putTeam(${op.team.id})`;
    default: {
      const { kind, ...rest } = op;
      return `${kind}(${Object.values(rest).map(String).join(", ")})`;
    }
  }
}

const ownerCount = (s: ModelState, team: string) =>
  [...s.members].filter(([k, r]) => r === "owner" && split(k)[0] === team).length;

const delegated = (t: Token) => t.azp !== null && t.azp !== t.sub;

/**
 * DESIGN §3: a delegated token whose `sub` is a managed user of its `azp`; DESIGN §2: a delegated
 * token whose `azp` is not the manager can never be valid (401).
 */
function delegationRefusal(s: ModelState, t: Token): Outcome | null {
  if (!delegated(t)) return forbidden(messages.delegatedTokenRequired);
  const subject = s.users.get(t.sub);
  if (!subject || subject.manager === null || subject.manager !== t.azp) {
    return notAuthenticated(messages.couldNotValidate);
  }
  return null;
}

/** A regular user acting for itself with its own token. */
function consentRefusal(s: ModelState, user: string): Outcome | null {
  const subject = s.users.get(user);
  return subject && subject.manager !== null ? forbidden(messages.consentNeedsOwnToken) : null;
}

function removeUserRows(s: ModelState, ids: Set<string>): void {
  for (const key of [...s.members.keys()]) if (ids.has(split(key)[1])) s.members.delete(key);
  for (const key of [...s.grants.keys()]) if (ids.has(split(key)[1])) s.grants.delete(key);
  for (const id of ids) s.users.delete(id);
}

/** Applies `op` to `s` in place and answers what the service must answer. */
export function apply(s: ModelState, op: Op): Outcome {
  switch (op.kind) {
    case "putUser": {
      if (op.manager !== null) {
        const manager = s.users.get(op.manager);
        const managesOthers = [...s.users.values()].some((u) => u.manager === op.id);
        // The msg, as pydantic words a validator's refusal.
        if (op.manager === op.id) return invalid(`Value error, ${messages.managerIsSelf}`);
        if (!manager) return invalid(`Value error, ${messages.userNotFound}: ${op.manager}`);
        if (manager.manager !== null) return invalid(`Value error, ${messages.managerIsManaged}`);
        if (managesOthers) return invalid(`Value error, ${messages.hasManagedUsers}`);
      }
      s.users.set(op.id, { id: op.id, first: op.first, last: op.last, manager: op.manager });
      return ok();
    }
    case "putTeam":
      s.teams.set(op.team.id, { ...op.team, name: op.team.name.trim() });
      return ok();
    case "putMember": {
      if (!s.teams.has(op.team)) return notFound(messages.teamNotFound);
      const current = s.members.get(pair(op.team, op.user)) ?? null;
      if (current === "owner" && op.role !== "owner" && ownerCount(s, op.team) <= 1) {
        return forbidden(messages.lastOwner);
      }
      if (!s.users.has(op.user)) return notFound(messages.userNotFound);
      s.members.set(pair(op.team, op.user), op.role);
      return ok(op.role);
    }
    case "deleteMember": {
      if (!s.teams.has(op.team)) return notFound(messages.teamNotFound);
      const current = s.members.get(pair(op.team, op.user)) ?? null;
      if (current === null) return notFound(messages.memberNotFound);
      if (current === "owner" && ownerCount(s, op.team) <= 1) return forbidden(messages.lastOwner);
      s.members.delete(pair(op.team, op.user));
      return ok();
    }
    case "deleteTeam": {
      if (!s.teams.has(op.team)) return notFound(messages.teamNotFound);
      for (const key of [...s.members.keys()]) if (split(key)[0] === op.team) s.members.delete(key);
      for (const key of [...s.grants.keys()]) if (split(key)[0] === op.team) s.grants.delete(key);
      s.teams.delete(op.team);
      return ok();
    }
    case "deleteUser": {
      if (!s.users.has(op.user)) return notFound(messages.userNotFound);
      const ids = new Set([op.user]);
      for (const u of s.users.values()) if (u.manager === op.user) ids.add(u.id);
      removeUserRows(s, ids);
      return ok();
    }
    case "authorize": {
      const scopes = canonicalScopes(op.scopes);
      const refused = delegationRefusal(s, op.token);
      if (refused) return refused;
      const lacking = scopes.filter((x) => !op.token.scopes.includes(x));
      if (lacking.length > 0) return forbidden(messages.scopesNotHeld(lacking));
      if (!s.teams.has(op.team)) return notFound(messages.teamNotFound);
      s.grants.set(pair(op.team, op.token.sub), scopes);
      return ok({ team_id: op.team, user_id: op.token.sub, scopes });
    }
    case "revoke": {
      const refused = delegationRefusal(s, op.token);
      if (refused) return refused;
      return removeGrant(s, op.team, op.token.sub);
    }
    case "consent": {
      const refused = consentRefusal(s, op.user);
      if (refused) return refused;
      if (!s.teams.has(op.team)) return notFound(messages.teamNotFound);
      ensureUser(s, op.user);
      const scopes = canonicalScopes(op.scopes);
      s.grants.set(pair(op.team, op.user), scopes);
      return ok({ team_id: op.team, user_id: op.user, scopes });
    }
    case "withdraw": {
      const refused = consentRefusal(s, op.user);
      if (refused) return refused;
      return removeGrant(s, op.team, op.user);
    }
  }
}

function removeGrant(s: ModelState, team: string, user: string): Outcome {
  if (!s.teams.has(team)) return notFound(messages.teamNotFound);
  const scopes = s.grants.get(pair(team, user));
  if (!scopes) return notFound(messages.authorizationNotFound);
  s.grants.delete(pair(team, user));
  return ok({ team_id: team, user_id: user, scopes });
}

/** DESIGN §4: a user first seen in a valid token is created (no names, not managed). */
export function ensureUser(s: ModelState, id: string): void {
  if (!s.users.has(id)) s.users.set(id, { id, first: null, last: null, manager: null });
}

// ---- what each caller must see ------------------------------------------------------------------

/** Both stores order text by its UTF-8 bytes (SQLite BINARY, PostgreSQL "C"); JS compares UTF-16. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Names joined by a space, spaces (only) trimmed as SQL's trim() does, else the id. */
export function displayName(u: ModelUser): string {
  const joined = `${u.first ?? ""} ${u.last ?? ""}`.replace(/^ +| +$/g, "");
  return joined === "" ? u.id : joined;
}

/**
 * The name filter's fold (DESIGN §4): NFKC, full case folding, NFKC. Over the letters the generated
 * worlds use (Latin with accents, full-width forms, emoji, signs) full case folding is lower-casing
 * but for ß, which folds to "ss"; the folding table itself is checked by the core's own tests.
 */
const fold = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\u00df/g, "ss")
    .normalize("NFKC");

const teamOrder = (a: ModelTeam, b: ModelTeam) =>
  byteCompare(a.name, b.name) || byteCompare(a.id, b.id);
const userOrder = (a: ModelUser, b: ModelUser) =>
  byteCompare(displayName(a), displayName(b)) || byteCompare(a.id, b.id);

const details = (t: ModelTeam) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  url: t.url,
  image: t.image,
  privacy_statement: t.privacy_statement,
});

/** A read's answer as both mounts must give it: a body, or a status with its detail. */
export type View = { status: 200; body: unknown } | { status: 404; detail: string };

const found = (body: unknown): View => ({ status: 200, body });
const missing = (detail: string): View => ({ status: 404, detail });

const roleOf = (s: ModelState, team: string, user: string) =>
  s.members.get(pair(team, user)) ?? null;

export function listTeams(s: ModelState, caller: string): View {
  const teams = [...s.teams.values()].filter((t) => roleOf(s, t.id, caller) !== null);
  return found(
    teams.sort(teamOrder).map((t) => ({ ...details(t), role: roleOf(s, t.id, caller) })),
  );
}

export function listAuthorized(s: ModelState, caller: string): View {
  const teams = [...s.teams.values()].filter((t) => s.grants.has(pair(t.id, caller)));
  return found(
    teams.sort(teamOrder).map((t) => ({ ...details(t), scopes: s.grants.get(pair(t.id, caller)) })),
  );
}

const summary = (s: ModelState, team: string, u: ModelUser) => ({
  id: u.id,
  first_name: u.first,
  last_name: u.last,
  scopes: s.grants.get(pair(team, u.id)),
  display_name: displayName(u),
  is_managed: u.manager !== null,
});

/** `GET /teams/{id}/users`: members only; a non-member gets the bytes of a missing team. */
export function teamUsers(s: ModelState, caller: string, team: string, name?: string): View {
  if (roleOf(s, team, caller) === null) return missing(messages.teamNotFound);
  const needle = name ? fold(name) : "";
  const users = [...s.users.values()].filter(
    (u) => s.grants.has(pair(team, u.id)) && fold(displayName(u)).includes(needle),
  );
  return found(users.sort(userOrder).map((u) => summary(s, team, u)));
}

export function teamUser(s: ModelState, caller: string, team: string, user: string): View {
  if (roleOf(s, team, caller) === null) return missing(messages.teamNotFound);
  const u = s.users.get(user);
  if (!u || !s.grants.has(pair(team, user))) return missing(messages.userNotFound);
  return found(summary(s, team, u));
}

/** `GET /teams/{id}`: members, and users who authorized the team. */
export function getTeam(s: ModelState, caller: string, team: string): View {
  const t = s.teams.get(team);
  const role = roleOf(s, team, caller);
  if (!t || (role === null && !s.grants.has(pair(team, caller)))) {
    return missing(messages.teamNotFound);
  }
  return found({ ...details(t), role });
}

export function teamMembers(s: ModelState, caller: string, team: string): View {
  if (roleOf(s, team, caller) === null) return missing(messages.teamNotFound);
  const users = [...s.users.values()].filter((u) => roleOf(s, team, u.id) !== null);
  return found(
    users.sort(userOrder).map((u) => ({
      id: u.id,
      first_name: u.first,
      last_name: u.last,
      display_name: displayName(u),
      is_managed: u.manager !== null,
      role: roleOf(s, team, u.id),
    })),
  );
}

/**
 * `GET /users/`: the caller, the users it manages (all data scopes) and the users who granted a
 * team the caller is in (what they granted those teams, together), each once, the closest first.
 */
export function selfAndManaged(s: ModelState, caller: string): View {
  const all = ["data:read", "data:write", "profile"];
  const listed: { u: ModelUser; scopes: string[] }[] = [];
  for (const u of s.users.values()) {
    let scopes: string[] | null = null;
    if (u.id === caller || u.manager === caller) scopes = all;
    else {
      const granted = new Set<string>();
      let shared = false;
      for (const [key, given] of s.grants) {
        const [team, grantor] = split(key);
        if (grantor !== u.id || roleOf(s, team, caller) === null) continue;
        shared = true;
        for (const scope of given) granted.add(scope);
      }
      if (shared) scopes = all.filter((x) => granted.has(x));
    }
    if (scopes) listed.push({ u, scopes });
  }
  return found(
    listed
      .sort((a, b) => userOrder(a.u, b.u))
      .map(({ u, scopes }) => ({
        id: u.id,
        first_name: u.first,
        last_name: u.last,
        scopes,
        display_name: displayName(u),
        is_managed: u.manager !== null,
      })),
  );
}

/** The access check: the user itself, its manager, or a member of a team it granted `scope`. */
export function canAccess(s: ModelState, caller: string, user: string, scope: string): boolean {
  if (caller === user) return true;
  if (s.users.get(user)?.manager === caller) return true;
  return [...s.grants].some(([key, scopes]) => {
    const [team, grantor] = split(key);
    return (
      grantor === user &&
      roleOf(s, team, caller) !== null &&
      (scopes as readonly string[]).includes(scope)
    );
  });
}

export const ALL_SCOPES: readonly string[] = SCOPES;

// ---- the store's rows, as both the model and a real store can list them -------------------------

export interface Rows {
  users: string[];
  teams: string[];
  memberships: string[];
  authorizations: string[];
}

/** One line per row, sorted: equal `Rows` mean equal stores (timestamps left out). */
export function modelRows(s: ModelState): Rows {
  return {
    users: [...s.users.values()]
      .map((u) => JSON.stringify([u.id, u.first, u.last, u.manager]))
      .sort(),
    teams: [...s.teams.values()]
      .map((t) =>
        JSON.stringify([t.id, t.name, t.description, t.url, t.image, t.privacy_statement]),
      )
      .sort(),
    memberships: [...s.members].map(([k, role]) => JSON.stringify([...split(k), role])).sort(),
    authorizations: [...s.grants]
      .map(([k, scopes]) => JSON.stringify([...split(k), scopes.join(" ")]))
      .sort(),
  };
}
