import type { Authenticator } from "@teams/auth";
import type { IntrospectionCaller, Teams } from "@teams/core";

/** RFC 7662's answer about a token: `{active: false}` and nothing else when it is not active. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      sub: string;
      scope: string;
      exp: number;
      token_type: "Bearer" | "refresh_token";
      iss?: string;
      jti?: string;
      azp?: string;
      act?: { sub: string };
      team_id?: string;
    };

const inactive = { active: false } as const;

/**
 * Introspects a token for a caller the core allowed: a JWT is verified as any credential (a bad
 * one is simply inactive), then the core says whether its basis still holds; anything else is
 * looked up as a refresh token.
 */
export async function introspectionAnswer(
  teams: Teams,
  authenticator: Authenticator,
  caller: IntrospectionCaller,
  token: string,
): Promise<IntrospectionResponse> {
  if (token.split(".").length === 3) {
    let verified: Awaited<ReturnType<Authenticator["authenticate"]>>;
    try {
      verified = await authenticator.authenticate(
        { authorization: `Bearer ${token}`, refreshedToken: null, cookie: null },
        { headerOnly: true },
      );
    } catch {
      return inactive;
    }
    const { principal, token: facts } = verified;
    const status = await teams.isGrantActive(caller, {
      type: "access_token",
      kind: facts.kind,
      sub: principal.userId,
      actor: principal.authorizedParty,
      teamId: principal.teamId ?? null,
      scopes: principal.scopes,
    });
    if (!status.active) return inactive;
    const delegated =
      principal.authorizedParty !== null && principal.authorizedParty !== principal.userId;
    return {
      active: true,
      sub: principal.userId,
      scope: principal.scopes.join(" "),
      exp: facts.exp,
      token_type: "Bearer",
      ...(facts.issuer === "service" ? { iss: authenticator.serviceIssuer } : {}),
      ...(facts.jti === undefined ? {} : { jti: facts.jti }),
      ...(delegated && principal.authorizedParty !== null
        ? { azp: principal.authorizedParty, act: { sub: principal.authorizedParty } }
        : {}),
      ...(principal.teamId ? { team_id: principal.teamId } : {}),
    };
  }
  const status = await teams.isGrantActive(caller, { type: "refresh_token", token });
  if (!status.active || !status.refresh) return inactive;
  const { refresh } = status;
  return {
    active: true,
    sub: refresh.sub,
    scope: refresh.scopes.join(" "),
    exp: refresh.exp,
    token_type: "refresh_token",
    iss: authenticator.serviceIssuer,
    ...(refresh.actor === null ? {} : { azp: refresh.actor, act: { sub: refresh.actor } }),
    ...(refresh.teamId === null ? {} : { team_id: refresh.teamId }),
  };
}
