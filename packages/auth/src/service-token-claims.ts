// How a token says its kind and who acts with it (DESIGN §2 and §6): pure readings of verified
// claims, each refusal a TokenRejected.
import { isPlausibleId } from "@teams/core";
import type { JWTPayload } from "jose";
import { TokenRejected } from "./token-rejected.js";

/** What a token the service signs is for (DESIGN §6). */
export type ServiceTokenKind = "delegated" | "principal" | "session";

export const SERVICE_TOKEN_KINDS: ReadonlySet<string> = new Set<ServiceTokenKind>([
  "delegated",
  "principal",
  "session",
]);

/** The `typ` header of the service's access tokens (RFC 9068). */
export const SERVICE_TOKEN_TYPE = "at+jwt";
/** The private claim that says a service token's kind. */
export const KIND_CLAIM = "teams_kind";
/** The private claim carrying a delegated token's `actorGrant`. */
export const ACTOR_GRANT_CLAIM = "teams_actor_grant";

/** DESIGN §2: `sub` (and `azp`, `act.sub`) at most this many characters, like every id. */
export const MAX_SUBJECT_LENGTH = 255;

/** Who signed a token. */
export type TokenIssuer = "service" | "development" | "external";

/**
 * How an external issuer's `azp` is read (`TEAMS_EXTERNAL_AZP`): `"client"`, an OAuth client id as
 * OpenID Connect defines it (never the acting user), or `"actor"`, the acting user as the
 * reference's own tokens mean it.
 */
export type ExternalAzp = "client" | "actor";

/**
 * The acting user of verified claims, or null. Service and development tokens: `azp`, also
 * written `act.sub`. External tokens: `act.sub`, and `azp` only when `externalAzp` is "actor".
 * Both present and different is a contradiction, refused.
 */
export function actingUser(
  claims: JWTPayload,
  issuer: TokenIssuer,
  externalAzp: ExternalAzp,
): string | null {
  const readsAzp = issuer !== "external" || externalAzp === "actor";
  const azp =
    readsAzp && claims.azp !== undefined && claims.azp !== null
      ? identifier(claims.azp, "azp")
      : null;
  const act = actSubject(claims.act);
  if (azp !== null && act !== null && azp !== act) {
    throw new TokenRejected('"azp" and "act.sub" claims name different acting users');
  }
  return act ?? azp;
}

/** What a service token's own claims say: its kind and, when delegated, the actor's grant. */
export function serviceTokenFacts(
  claims: JWTPayload,
  actor: string | null,
): { kind: ServiceTokenKind; actorGrant?: { scopes: readonly string[]; exp: number } } {
  const kind = claims[KIND_CLAIM];
  if (typeof kind !== "string" || !SERVICE_TOKEN_KINDS.has(kind)) {
    throw new TokenRejected(`"${KIND_CLAIM}" claim is not a kind of token the service signs`);
  }
  const grant = claims[ACTOR_GRANT_CLAIM];
  if (kind !== "delegated") {
    // Only a delegated token acts for someone else; a principal or session token that says
    // otherwise was not made here.
    if (actor !== null || claims.team_id !== undefined || grant !== undefined) {
      throw new TokenRejected(`a ${kind} token carries an acting user, a team or a grant`);
    }
    return { kind: kind as ServiceTokenKind };
  }
  if (actor === null || actor === claims.sub) {
    throw new TokenRejected("a delegated token names no acting user other than its subject");
  }
  if (grant === undefined) return { kind };
  return { kind, actorGrant: actorGrantOf(grant) };
}

function actorGrantOf(value: unknown): { scopes: readonly string[]; exp: number } {
  const { scopes, exp } = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (
    !Array.isArray(scopes) ||
    !scopes.every((scope) => typeof scope === "string") ||
    typeof exp !== "number" ||
    !Number.isSafeInteger(exp)
  ) {
    throw new TokenRejected(`"${ACTOR_GRANT_CLAIM}" claim must be { scopes: string[], exp }`);
  }
  return Object.freeze({ scopes: Object.freeze([...(scopes as string[])]), exp });
}

// RFC 8693 §4.1: `act` is an object whose `sub` is the actor (a nested `act` is earlier history,
// not read).
function actSubject(act: unknown): string | null {
  if (act === undefined || act === null) return null;
  if (typeof act !== "object" || Array.isArray(act)) {
    throw new TokenRejected('"act" claim must be an object');
  }
  return identifier((act as Record<string, unknown>).sub, "act.sub");
}

/**
 * A usable id by the core's rule (no control characters, well-formed text), so a signed but
 * unusable id is a 401 like any other bad credential, never a 422 echoing it.
 */
export function identifier(value: unknown, claim: string): string {
  if (!isPlausibleId(value) || value.length > MAX_SUBJECT_LENGTH) {
    throw new TokenRejected(
      `"${claim}" claim must be a string of 1 to ${MAX_SUBJECT_LENGTH} characters`,
    );
  }
  return value;
}
