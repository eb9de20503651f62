import type { ConsentResponse } from "./authorization-queries.js";
import * as a from "./authorization-queries.js";
import type { Context, WriteStore } from "./context.js";
import { NotFound } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import type { JsonLine } from "./list-lines.js";
import * as m from "./member-queries.js";
import { type LinesPage, type Page, toPage } from "./pagination.js";
import {
  decideAuthorize,
  decideConsent,
  decideRevoke,
  type Subject,
} from "./policy/authorization-policy.js";
import { type ChangeOrigin, decideChangeOrigin } from "./policy/consent-actor.js";
import { messages } from "./policy/messages.js";
import { decideListTeamUsers } from "./policy/team-policy.js";
import type { Principal } from "./principal.js";
import {
  AuthorizedTeamsPageQuery,
  AuthorizeTeamInput,
  TeamsPageQuery,
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
import * as w from "./store-writes.js";
import * as t from "./team-queries.js";
import { useToken } from "./token-use.js";
import { parseInput } from "./validation.js";

// The five operations of the reference, and the one-user read beside them (DESIGN §3, §4).
// Each runs the checks in one order: principal (401), input (422), rule (403), existence (404).
// Each list is one use case: the whole list without `limit`, a page with it.

type P = Principal | null | undefined;

/** Rows to read for a page of `limit`: one more, to learn whether another page follows. */
const rowsFor = (limit: number | undefined) => (limit === undefined ? undefined : limit + 1);

export function referenceUseCases(ctx: Context) {
  const { store } = ctx;

  /** A team's lists are for its members; anyone else, and a missing team, get the same NotFound. */
  async function requireTeamMember(p: Principal, teamId: string): Promise<void> {
    const role = isPlausibleId(teamId) ? await m.findRole(store, teamId, p.userId) : null;
    const refused = decideListTeamUsers(role);
    if (refused) throw refused;
  }

  /**
   * The subject of a write, locked until the write commits, so a concurrent change of the user
   * (deleted, or given another manager) cannot slip between the rule and the write.
   */
  async function lockSubject(tx: WriteStore, userId: string): Promise<Subject | undefined> {
    const user = await w.lockUser(tx, userId);
    return user && { id: user.id, managerId: user.manager_id };
  }

  /**
   * Teams the caller authorized, with the scopes granted (`GET /api/v1/teams/authorized`): each as
   * its JSON line, in the list's order (name, id). With `times`, the lines also say when each was
   * first granted and last changed (the caller's own pages).
   */
  async function listAuthorizedTeams(
    principal: P,
    query?: AuthorizedTeamsPageQuery,
  ): Promise<LinesPage<AuthorizedTeamResponse>>;
  async function listAuthorizedTeams(
    principal: P,
    query: AuthorizedTeamsPageQuery,
    options: { times: true },
  ): Promise<LinesPage<ConsentResponse>>;
  async function listAuthorizedTeams(
    principal: P,
    query: AuthorizedTeamsPageQuery = {},
    options: { times?: boolean } = {},
  ): Promise<LinesPage<AuthorizedTeamResponse>> {
    const token = await useToken(ctx, principal, options.times ? "pages" : "list-authorized-teams");
    const p = token.principal;
    const { limit, cursor } = parseInput(AuthorizedTeamsPageQuery, query);
    token.permit();
    const lines = await a.listTeamsAuthorizedBy<AuthorizedTeamResponse>(
      store,
      p.userId,
      { after: cursor, rows: rowsFor(limit) },
      options.times === true,
    );
    return linesPage(toPage("teams", lines, limit, a.authorizedTeamLineKey, same));
  }

  return {
    /**
     * Teams the caller owns or is a member of, with its role (`GET /api/v1/teams/`), in the list's
     * order (name, id).
     */
    async listTeams(principal: P, query: TeamsPageQuery = {}): Promise<Page<TeamResponse>> {
      const token = await useToken(ctx, principal, "list-teams");
      const p = token.principal;
      const { limit, cursor } = parseInput(TeamsPageQuery, query);
      token.permit();
      const rows = await t.listTeamsOfMember(store, p.userId, {
        after: cursor,
        rows: rowsFor(limit),
      });
      return toPage("my-teams", rows, limit, t.teamKey, same);
    },

    listAuthorizedTeams,

    /**
     * Users who authorized a team, with their scopes (`GET /api/v1/teams/{team_id}/users`), for its
     * members only, each as its JSON line in the list's order (display name, id); `name` keeps
     * those whose display name contains it, ignoring case as `foldName` does (Unicode full case
     * folding after NFKC: "strauß" finds "STRAUSS").
     */
    async listTeamUsers(
      principal: P,
      teamId: string,
      query: TeamUsersPageQuery = {},
    ): Promise<LinesPage<UserSummary>> {
      const token = await useToken(ctx, principal, "list-team-users");
      const p = token.principal;
      const { name, limit, cursor } = parseInput(TeamUsersPageQuery, query);
      token.permit();
      await requireTeamMember(p, teamId);
      const lines = await a.listUsersAuthorizing(
        store,
        teamId,
        { name },
        { after: cursor, rows: rowsFor(limit) },
      );
      return linesPage(toPage("users", lines, limit, a.summaryLineKey, same));
    },

    /** One user who authorized the team (`GET /api/v1/teams/{team_id}/users/{user_id}`). */
    async getTeamUser(principal: P, teamId: string, userId: string): Promise<UserSummary> {
      const token = await useToken(ctx, principal, "management");
      const p = token.principal;
      token.permit();
      await requireTeamMember(p, teamId);
      const user = isPlausibleId(userId)
        ? await a.findUserAuthorizing(store, teamId, userId)
        : undefined;
      if (!user) throw new NotFound(messages.userNotFound);
      return user;
    },

    /**
     * A manager authorizes a team for its managed user through a delegated token
     * (`POST /api/v1/teams/{team_id}/authorize`). Authorizing again replaces the scope set.
     */
    async authorizeTeam(principal: P, teamId: string, body: unknown): Promise<TeamAuthorization> {
      const token = await useToken(ctx, principal, "authorize");
      const p = token.principal;
      const input = parseInput(AuthorizeTeamInput, body);
      const scopes = canonicalScopes(input.scopes);
      token.permit();
      // The rule holds through the locked user and team rows: concurrent grants of one row wait
      // for each other rather than fail (see WriteIsolation), in the order of the pair's turn.
      return ctx.write(async (tx) => {
        await w.takeAuthorizationTurn(tx, teamId, p.userId);
        const refused = decideAuthorize(p, await lockSubject(tx, p.userId), scopes);
        if (refused) throw refused;
        const origin = decideChangeOrigin(p, { kind: "delegation" });
        return upsertAuthorization(tx, teamId, p.userId, scopes, ctx.now(), origin);
      }, "read committed");
    },

    /** Withdraws a team's access to a managed user (`DELETE /api/v1/teams/{team_id}/authorize`). */
    async revokeTeam(principal: P, teamId: string): Promise<TeamAuthorization> {
      const token = await useToken(ctx, principal, "revoke");
      const p = token.principal;
      token.permit();
      return ctx.write(async (tx) => {
        await w.takeAuthorizationTurn(tx, teamId, p.userId);
        const refused = decideRevoke(p, await lockSubject(tx, p.userId));
        if (refused) throw refused;
        const origin = decideChangeOrigin(p, { kind: "delegation" });
        return deleteAuthorization(tx, teamId, p.userId, ctx.now(), origin);
      }, "read committed");
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
      options: ConsentOptions & { add?: boolean } = {},
    ): Promise<TeamAuthorization> {
      const token = await useToken(ctx, principal, "pages");
      const p = token.principal;
      const input = parseInput(AuthorizeTeamInput, body);
      token.permit();
      const now = ctx.now();
      // Serializable: adding reads the held scopes first, and two adds at once must not lose one.
      return ctx.write(async (tx) => {
        await w.takeAuthorizationTurn(tx, teamId, p.userId);
        const refused = decideConsent(p, await lockSubject(tx, p.userId));
        if (refused) throw refused;
        await w.ensureUserRow(tx, { id: p.userId }, now);
        const held =
          options.add && isPlausibleId(teamId)
            ? await a.findAuthorizationScopes(tx, teamId, p.userId)
            : undefined;
        const scopes = held === undefined ? input.scopes : [...decodeScopes(held), ...input.scopes];
        const origin = consentOrigin(p, options);
        // What `add` read is the previous scopes (the write is serializable): not read again.
        const previous = options.add && isPlausibleId(teamId) ? (held ?? null) : undefined;
        return upsertAuthorization(
          tx,
          teamId,
          p.userId,
          canonicalScopes(scopes),
          now,
          origin,
          previous,
        );
      });
    },

    /** A regular user withdraws a team's access to its own data. */
    async withdrawConsent(
      principal: P,
      teamId: string,
      options: ConsentOptions = {},
    ): Promise<TeamAuthorization> {
      const token = await useToken(ctx, principal, "pages");
      const p = token.principal;
      token.permit();
      return ctx.write(async (tx) => {
        await w.takeAuthorizationTurn(tx, teamId, p.userId);
        const refused = decideConsent(p, await lockSubject(tx, p.userId));
        if (refused) throw refused;
        return deleteAuthorization(tx, teamId, p.userId, ctx.now(), consentOrigin(p, options));
      }, "read committed");
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
      const token = await useToken(ctx, principal, "pages");
      const p = token.principal;
      token.permit();
      const team = isPlausibleId(teamId) ? await t.findTeam(store, teamId) : undefined;
      if (!team) throw new NotFound(messages.teamNotFound);
      const stored = await a.findAuthorizationScopes(store, teamId, p.userId);
      return { ...team, granted: stored === undefined ? null : decodeScopes(stored) };
    },
  };
}

/** How a person's own consent reached the core (its consent log record's actor). */
export interface ConsentOptions {
  /**
   * `"browser"`: the person acted in the pages (the consent and account pages pass it). Default:
   * the service wrote it on the person's behalf (the demo), recorded as `via: "service"`.
   */
  via?: "browser";
}

const consentOrigin = (p: Principal, options: ConsentOptions): ChangeOrigin =>
  decideChangeOrigin(p, { kind: "consent", via: options.via ?? "service" });

const same = <T>(value: T): T => value;

const linesPage = <T>(page: Page<JsonLine<T>>): LinesPage<T> => ({
  lines: page.items,
  next_cursor: page.next_cursor,
});

/** Records (or replaces) a user's authorization of a team, keeping the first grant time. */
async function upsertAuthorization(
  tx: WriteStore,
  teamId: string,
  userId: string,
  scopes: readonly Scope[],
  now: string,
  origin: ChangeOrigin,
  /** The stored scopes already read in this transaction (null: none); undefined: not read. */
  previous?: string | null,
): Promise<TeamAuthorization> {
  if (!isPlausibleId(teamId) || !(await w.lockTeam(tx, teamId))) {
    throw new NotFound(messages.teamNotFound);
  }
  const stored = encodeScopes(scopes);
  await w.upsertAuthorizationRow(tx, { teamId, userId, scopes: stored, now, previous }, origin);
  return { team_id: teamId, user_id: userId, scopes: decodeScopes(stored) };
}

/** Removes a user's authorization of a team, answering the scopes it held. */
async function deleteAuthorization(
  tx: WriteStore,
  teamId: string,
  userId: string,
  now: string,
  origin: ChangeOrigin,
): Promise<TeamAuthorization> {
  if (!isPlausibleId(teamId) || !(await w.lockTeam(tx, teamId))) {
    throw new NotFound(messages.teamNotFound);
  }
  const scopes = await w.deleteAuthorizationRow(tx, teamId, userId, now, origin);
  if (scopes === undefined) throw new NotFound(messages.authorizationNotFound);
  return { team_id: teamId, user_id: userId, scopes: decodeScopes(scopes) };
}
