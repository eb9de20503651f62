/** Who makes a request, as derived from a verified token (DESIGN §2). */
export interface Principal {
  /** The token's `sub`: the user the request acts as. */
  userId: string;
  /**
   * The acting user, or null (DESIGN §2): for tokens the service or development mode signs, `azp`
   * (also written `act.sub`); for an external issuer's tokens, `act.sub`, and `azp` only with
   * `TEAMS_EXTERNAL_AZP=actor` (by default an external `azp` is an OAuth client id, not read here).
   */
  authorizedParty: string | null;
  /** The scopes the token carries (`scope` or `scopes` claim). */
  scopes: readonly string[];
  /**
   * The token's `team_id` claim when it is delegated through a team (DESIGN §2); absent or null
   * otherwise.
   */
  teamId?: string | null;
}

/** A delegated token acts for `sub` on behalf of another party: an acting user that is not `sub`. */
export function isDelegated(principal: Principal): boolean {
  return principal.authorizedParty !== null && principal.authorizedParty !== principal.userId;
}
