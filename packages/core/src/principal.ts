/** Who makes a request, as derived from a verified token (DESIGN §2). */
export interface Principal {
  /** The token's `sub`: the user the request acts as. */
  userId: string;
  /** The token's `azp`, or null when absent. */
  authorizedParty: string | null;
  /** The scopes the token carries (`scope` or `scopes` claim). */
  scopes: readonly string[];
  /**
   * The token's `team_id` claim when it is delegated through a team (DESIGN §2); absent or null
   * otherwise.
   */
  teamId?: string | null;
}

/** A delegated token acts for `sub` on behalf of another party: `azp` present and not `sub`. */
export function isDelegated(principal: Principal): boolean {
  return principal.authorizedParty !== null && principal.authorizedParty !== principal.userId;
}
