import type { Authenticator } from "@teams/auth";
import type { GrantWithRefresh } from "@teams/core";

/** The OAuth token response (RFC 6749 §5.1) the reference's clients parse (`TokenResponse`). */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  /** Seconds until the access token expires. */
  expires_in: number;
  refresh_token: string;
  /** The access token's scopes, space-separated. */
  scope: string;
}

/**
 * Signs the access token of a grant the core recorded (called after its write committed, so a
 * token is never signed for a grant that was not stored) and answers it with its refresh token.
 * REST and tRPC both answer through it.
 */
export async function signGrant(
  authenticator: Authenticator,
  ttlSeconds: number,
  { grant, refreshToken }: GrantWithRefresh,
): Promise<TokenResponse> {
  const issued = await authenticator.issueToken({
    kind: grant.kind,
    sub: grant.sub,
    scopes: grant.scopes,
    ttlSeconds,
    ...(grant.actor === undefined ? {} : { actor: grant.actor }),
    ...(grant.teamId === undefined ? {} : { teamId: grant.teamId }),
    ...(grant.notAfter === undefined ? {} : { notAfter: grant.notAfter }),
    ...(grant.actorGrant === undefined ? {} : { actorGrant: grant.actorGrant }),
  });
  return {
    access_token: issued.token,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    refresh_token: refreshToken,
    scope: grant.scopes.join(" "),
  };
}
