import type { Kysely, Transaction } from "kysely";
import { type Context, ensureUserRow, requirePrincipal } from "./context.js";
import type { Database } from "./database.js";
import { NotFound } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import { type Page, toPage } from "./pagination.js";
import {
  decideAuthorize,
  decideConsent,
  decideRevoke,
  type Subject,
} from "./policy/authorization-policy.js";
import { messages } from "./policy/messages.js";
import { decideListTeamUsers } from "./policy/team-policy.js";
import type { Principal } from "./principal.js";
import {
  AuthorizedTeamsPageQuery,
  AuthorizeTeamInput,
  ListTeamUsersQuery,
  TeamUsersPageQuery,
} from "./request-schemas.js";
import type {
  AuthorizedTeamResponse,
  TeamAuthorization,
  TeamDetails,
  TeamResponse,
  UserSummary,
} from "./schemas.js";
import { canonicalScopes, decodeScopes, encodeScopes, type Scope } from "./scopes.js";
import * as q from "./store-queries.js";
import { deleteAuthorizationRow, upsertAuthorizationRow } from "./store-writes.js";
import { parseInput } from "./validation.js";

// The five operations of the reference, and the one-user read beside them (DESIGN §3, §4).
// Each runs the checks in one order: principal (401), input (422), rule (403), existence (404).

type P = Principal | null | undefined;

export function referenceUseCases(ctx: Context) {
  const { db } = ctx;

  // Loaded inside the write transaction, so a concurrent change of the user (deleted, or given
  // another manager) cannot slip between the rule and the write.
  async function loadSubject(
    userId: string,
    executor: Kysely<Database> = db,
  ): Promise<Subject | undefined> {
    const user = await q.findUser(executor, userId);
    return user && { id: user.id, managerId: user.manager_id };
  }

  /** A team's lists are for its members; anyone else, and a missing team, get the same NotFound. */
  async function requireTeamMember(p: Principal, teamId: string): Promise<void> {
    const role = isPlausibleId(teamId) ? await q.findRole(db, teamId, p.userId) : null;
    const refused = decideListTeamUsers(role);
    if (refused) throw refused;
  }

  /**
   * `forEachTeamUsersChunk` with each chunk as the JSON array text of its users, as the store
   * keeps them: what an HTTP answer sends, with no value built on the way.
   */
  async function forEachTeamUsersJsonChunk(
    principal: P,
    teamId: string,
    query: unknown,
    onChunk: (json: string) => void,
    chunkRows = 1000,
  ): Promise<void> {
    const p = requirePrincipal(principal);
    const { name } = parseInput(ListTeamUsersQuery, query);
    await requireTeamMember(p, teamId);
    await q.forEachUserAuthorizing(db, teamId, { name }, chunkRows, (lines) =>
      onChunk(q.joinSummaries(lines)),
    );
  }

  /**
   * `listTeamUsersPage` with the items as one JSON array text, as the store keeps them: the body
   * of the REST answer, with no value built on the way.
   */
  async function listTeamUsersPageJson(
    principal: P,
    teamId: string,
    query: TeamUsersPageQuery = {},
  ): Promise<{ json: string; next_cursor: string | null }> {
    const p = requirePrincipal(principal);
    const parsed = parseInput(TeamUsersPageQuery, query);
    await requireTeamMember(p, teamId);
    const { limit } = parsed;
    const lines = await q.listUsersAuthorizing(
      db,
      teamId,
      { name: parsed.name },
      { after: parsed.cursor, rows: limit === undefined ? undefined : limit + 1 },
    );
    const page = toPage("users", lines, limit, q.summaryKey, (line) => line);
    return { json: q.joinSummaries(page.items), next_cursor: page.next_cursor };
  }

  return {
    /** Teams the caller owns or is a member of, with its role (`GET /api/v1/teams/`). */
    async listTeams(principal: P): Promise<TeamResponse[]> {
      return q.listTeamsOfMember(db, requirePrincipal(principal).userId);
    },

    /** Teams the caller authorized, with the scopes granted (`GET /api/v1/teams/authorized`). */
    async listAuthorizedTeams(principal: P): Promise<AuthorizedTeamResponse[]> {
      return q.listTeamsAuthorizedBy(db, requirePrincipal(principal).userId);
    },

    /**
     * `listAuthorizedTeams` as the JSON array text the store builds, byte for byte what
     * JSON.stringify of that list writes: the body of the REST answer, with no value built.
     */
    async listAuthorizedTeamsJson(principal: P): Promise<string> {
      return q.authorizedTeamsJson(db, requirePrincipal(principal).userId);
    },

    /**
     * One page of `listAuthorizedTeams`: `limit` teams (1 to 1000; all when absent) after `cursor`,
     * and the cursor of the next page, null on the last one.
     */
    async listAuthorizedTeamsPage(
      principal: P,
      query: AuthorizedTeamsPageQuery = {},
    ): Promise<Page<AuthorizedTeamResponse>> {
      const p = requirePrincipal(principal);
      const { limit, cursor } = parseInput(AuthorizedTeamsPageQuery, query);
      const rows = await q.listTeamsAuthorizedBy(db, p.userId, {
        after: cursor,
        rows: limit === undefined ? undefined : limit + 1,
      });
      return toPage("teams", rows, limit, q.authorizedTeamKey, (team) => team);
    },

    /**
     * A manager authorizes a team for its managed user through a delegated token
     * (`POST /api/v1/teams/{team_id}/authorize`). Authorizing again replaces the scope set.
     */
    async authorizeTeam(principal: P, teamId: string, body: unknown): Promise<TeamAuthorization> {
      const p = requirePrincipal(principal);
      const input = parseInput(AuthorizeTeamInput, body);
      const scopes = canonicalScopes(input.scopes);
      return ctx.write(async (trx) => {
        const refused = decideAuthorize(p, await loadSubject(p.userId, trx), scopes);
        if (refused) throw refused;
        if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
        return upsertAuthorization(trx, teamId, p.userId, scopes, ctx.now());
      });
    },

    /** Withdraws a team's access to a managed user (`DELETE /api/v1/teams/{team_id}/authorize`). */
    async revokeTeam(principal: P, teamId: string): Promise<TeamAuthorization> {
      const p = requirePrincipal(principal);
      return ctx.write(async (trx) => {
        const refused = decideRevoke(p, await loadSubject(p.userId, trx));
        if (refused) throw refused;
        if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
        return deleteAuthorization(trx, teamId, p.userId);
      });
    },

    /**
     * A regular user authorizes a team for itself (the browser consent flow). Authorizing again
     * replaces the scope set, as for managed users; with `{ add: true }` the scopes are added to
     * what the team holds at the time of the write (a consent page asks only for what is missing,
     * and reading what it held earlier could restore scopes revoked in the meantime).
     */
    async consentToTeam(
      principal: P,
      teamId: string,
      body: unknown,
      options: { add?: boolean } = {},
    ): Promise<TeamAuthorization> {
      const p = requirePrincipal(principal);
      const input = parseInput(AuthorizeTeamInput, body);
      const now = ctx.now();
      return ctx.write(async (trx) => {
        const refused = decideConsent(p, await loadSubject(p.userId, trx));
        if (refused) throw refused;
        if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
        await ensureUserRow(trx, { id: p.userId }, now);
        const held = options.add
          ? await q.findAuthorizationScopes(trx, teamId, p.userId)
          : undefined;
        const scopes = held === undefined ? input.scopes : [...decodeScopes(held), ...input.scopes];
        return upsertAuthorization(trx, teamId, p.userId, canonicalScopes(scopes), now);
      });
    },

    /** A regular user withdraws a team's access to its own data. */
    async withdrawConsent(principal: P, teamId: string): Promise<TeamAuthorization> {
      const p = requirePrincipal(principal);
      return ctx.write(async (trx) => {
        const refused = decideConsent(p, await loadSubject(p.userId, trx));
        if (refused) throw refused;
        if (!isPlausibleId(teamId)) throw new NotFound(messages.teamNotFound);
        return deleteAuthorization(trx, teamId, p.userId);
      });
    },

    /**
     * A team's public consent details (what a consent page shows) and the scopes the caller already
     * granted it, null when none. Any authenticated caller may read them: they are what a person
     * sees before deciding. NotFound for a missing team.
     */
    async getTeamForConsent(
      principal: P,
      teamId: string,
    ): Promise<TeamDetails & { granted: TeamAuthorization["scopes"] | null }> {
      const p = requirePrincipal(principal);
      const team = isPlausibleId(teamId) ? await q.findTeam(db, teamId) : undefined;
      if (!team) throw new NotFound(messages.teamNotFound);
      const stored = await q.findAuthorizationScopes(db, teamId, p.userId);
      return { ...team, granted: stored === undefined ? null : decodeScopes(stored) };
    },

    /**
     * The teams the caller authorized, as `listAuthorizedTeams`, with `granted_at` and `updated_at`
     * (for the caller's own pages; the reference's response keeps its exact shape).
     */
    async listConsents(principal: P): Promise<q.ConsentResponse[]> {
      return q.listConsentsOf(db, requirePrincipal(principal).userId);
    },

    /**
     * Users who authorized a team, with their scopes (`GET /api/v1/teams/{team_id}/users`), for its
     * members only; `name` keeps those whose display name contains it, ignoring case.
     */
    async listTeamUsers(principal: P, teamId: string, query: unknown = {}): Promise<UserSummary[]> {
      const p = requirePrincipal(principal);
      const { name } = parseInput(ListTeamUsersQuery, query);
      await requireTeamMember(p, teamId);
      return q.parseSummaries(await q.listUsersAuthorizing(db, teamId, { name }));
    },

    /**
     * `listTeamUsers` for answers too long to hold twice: the same users in the same order, handed
     * to `onChunk` as they are read (at most `chunkRows` at a time, from one statement, so one
     * consistent list). `onChunk` must not wait for anything: the store is busy until the last row.
     */
    async forEachTeamUsersChunk(
      principal: P,
      teamId: string,
      query: unknown,
      onChunk: (users: UserSummary[]) => void,
      chunkRows = 1000,
    ): Promise<void> {
      await forEachTeamUsersJsonChunk(
        principal,
        teamId,
        query,
        (json) => onChunk(JSON.parse(json) as UserSummary[]),
        chunkRows,
      );
    },

    /**
     * One page of `listTeamUsers`: `limit` users (1 to 1000; all when absent) after `cursor`, and
     * the cursor of the next page, null on the last one.
     */
    async listTeamUsersPage(
      principal: P,
      teamId: string,
      query: TeamUsersPageQuery = {},
    ): Promise<Page<UserSummary>> {
      const page = await listTeamUsersPageJson(principal, teamId, query);
      return { items: JSON.parse(page.json) as UserSummary[], next_cursor: page.next_cursor };
    },

    forEachTeamUsersJsonChunk,
    listTeamUsersPageJson,

    /** One user who authorized the team (`GET /api/v1/teams/{team_id}/users/{user_id}`). */
    async getTeamUser(principal: P, teamId: string, userId: string): Promise<UserSummary> {
      const p = requirePrincipal(principal);
      await requireTeamMember(p, teamId);
      const user = isPlausibleId(userId)
        ? await q.findUserAuthorizing(db, teamId, userId)
        : undefined;
      if (!user) throw new NotFound(messages.userNotFound);
      return user;
    },
  };
}

/** Records (or replaces) a user's authorization of a team, keeping the first grant time. */
async function upsertAuthorization(
  trx: Transaction<Database>,
  teamId: string,
  userId: string,
  scopes: readonly Scope[],
  now: string,
): Promise<TeamAuthorization> {
  if (!(await q.teamExists(trx, teamId))) throw new NotFound(messages.teamNotFound);
  const stored = encodeScopes(scopes);
  await upsertAuthorizationRow(trx, { teamId, userId, scopes: stored, now });
  return { team_id: teamId, user_id: userId, scopes: decodeScopes(stored) };
}

/** Removes a user's authorization of a team, answering the scopes it held. */
async function deleteAuthorization(
  trx: Transaction<Database>,
  teamId: string,
  userId: string,
): Promise<TeamAuthorization> {
  if (!(await q.teamExists(trx, teamId))) throw new NotFound(messages.teamNotFound);
  const scopes = await deleteAuthorizationRow(trx, teamId, userId);
  if (scopes === undefined) throw new NotFound(messages.authorizationNotFound);
  return { team_id: teamId, user_id: userId, scopes: decodeScopes(scopes) };
}
