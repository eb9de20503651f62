import { historyKey, listHistory } from "./consent-log-queries.js";
import type { Context } from "./context.js";
import { isPlausibleId } from "./ids.js";
import * as m from "./member-queries.js";
import { type Page, toPage } from "./pagination.js";
import { decideListTeamUsers } from "./policy/team-policy.js";
import { decideManagedUserTarget } from "./policy/user-policy.js";
import type { Principal } from "./principal.js";
import { AuthorizationHistoryPageQuery, TeamHistoryPageQuery } from "./request-schemas.js";
import type { ConsentRecord } from "./schemas.js";
import { useToken } from "./token-use.js";
import { findUser } from "./user-queries.js";
import { parseInput } from "./validation.js";

// The consent log read by those it concerns (DESIGN §7): a person (or its manager) and a team's
// members. Each a list in log order, one page with `limit`.

type P = Principal | null | undefined;

const rowsFor = (limit: number | undefined) => (limit === undefined ? undefined : limit + 1);
const same = <T>(value: T): T => value;

export function historyUseCases(ctx: Context) {
  const { store } = ctx;
  return {
    /**
     * The records of the caller's authorizations (`GET /api/v1/teams/authorized/history`), or of
     * its managed user's with `user_id`; any other user is the users API's 404.
     */
    async listAuthorizationHistory(
      principal: P,
      query: AuthorizationHistoryPageQuery = {},
    ): Promise<Page<ConsentRecord>> {
      const token = await useTokenFor(principal);
      const p = token.principal;
      const { user_id, limit, cursor } = parseInput(AuthorizationHistoryPageQuery, query);
      token.permit();
      const userId = user_id ?? p.userId;
      if (userId !== p.userId) {
        const user = isPlausibleId(userId) ? await findUser(store, userId) : undefined;
        const refused = decideManagedUserTarget(p.userId, user && { managerId: user.manager_id });
        if (refused) throw refused;
      }
      const rows = await listHistory(store, { userId }, { after: cursor, rows: rowsFor(limit) });
      return toPage("history", rows, limit, historyKey, same);
    },

    /**
     * The records of a team's authorizations (`GET /api/v1/teams/{team_id}/history`), for its
     * members only: anyone else, and a missing team, get the team users list's 404.
     */
    async listTeamHistory(
      principal: P,
      teamId: string,
      query: TeamHistoryPageQuery = {},
    ): Promise<Page<ConsentRecord>> {
      const token = await useTokenFor(principal);
      const p = token.principal;
      const { limit, cursor } = parseInput(TeamHistoryPageQuery, query);
      token.permit();
      const role = isPlausibleId(teamId) ? await m.findRole(store, teamId, p.userId) : null;
      const refused = decideListTeamUsers(role);
      if (refused) throw refused;
      const rows = await listHistory(store, { teamId }, { after: cursor, rows: rowsFor(limit) });
      return toPage("history", rows, limit, historyKey, same);
    },
  };

  /** A person's token (a delegated one is the token table's 403: history is beyond §3). */
  function useTokenFor(principal: P) {
    return useToken(ctx, principal, "management");
  }
}
