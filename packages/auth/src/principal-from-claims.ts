import type { Principal } from "@teams/core";
import { isDelegated } from "@teams/core";
import type { JWTPayload } from "jose";
import {
  actingUser,
  type ExternalAzp,
  identifier,
  type ServiceTokenKind,
  serviceTokenFacts,
  type TokenIssuer,
} from "./service-token-claims.js";
import { TokenRejected } from "./token-rejected.js";

/** Who a verified token says the caller is. */
export interface Authentication {
  principal: Principal;
  /**
   * The user as first seen in a token (DESIGN §4: created on the fly, names when present); null
   * for a delegated token, which acts for a user that must already exist (a managed user is
   * created by its platform): such a token never creates its subject.
   */
  identity: {
    id: string;
    first_name: string | null;
    last_name: string | null;
    /** The token's `iat` (seconds), when it has one: a deleted user's older tokens are refused by it. */
    iat?: number;
  } | null;
  /** What the token itself is. */
  token: {
    /** Who signed it. */
    issuer: TokenIssuer;
    /** For service tokens, their kind. */
    kind?: ServiceTokenKind;
    jti?: string;
    /** The token's `exp`, epoch seconds. */
    exp: number;
    /** Service "delegated" tokens: the acting user's grant when it delegated. */
    actorGrant?: { scopes: readonly string[]; exp: number };
  };
}

/**
 * The principal and identity of verified claims, frozen (they may be served from the cache to many
 * requests). `issuer` says whose key verified them; `externalAzp` how an external `azp` is read.
 * Throws `TokenRejected` for claims that cannot name a principal.
 */
export function authenticationFromClaims(
  claims: JWTPayload,
  issuer: TokenIssuer,
  externalAzp: ExternalAzp,
): Authentication {
  const userId = identifier(claims.sub, "sub");
  const authorizedParty = actingUser(claims, issuer, externalAzp);
  const facts = issuer === "service" ? serviceTokenFacts(claims, authorizedParty) : undefined;
  // `team_id` names the team a token is delegated through (DESIGN §2); the core judges its use.
  const teamId =
    claims.team_id === undefined || claims.team_id === null
      ? null
      : identifier(claims.team_id, "team_id");
  const principal: Principal = Object.freeze({
    userId,
    authorizedParty,
    scopes: Object.freeze(scopesOf(claims)),
    ...(teamId !== null && { teamId }),
  });
  const identity = isDelegated(principal)
    ? null
    : Object.freeze({
        id: userId,
        first_name: name(claims.given_name),
        last_name: name(claims.family_name),
        // jose has checked that a present `iat` is a number (and not far in the future).
        ...(typeof claims.iat === "number" ? { iat: claims.iat } : {}),
      });
  if (typeof claims.exp !== "number") throw new TokenRejected('"exp" claim is required');
  const token = Object.freeze({
    issuer,
    exp: claims.exp,
    ...(typeof claims.jti === "string" && claims.jti !== "" && { jti: claims.jti }),
    ...(facts && { kind: facts.kind }),
    ...(facts?.actorGrant && { actorGrant: facts.actorGrant }),
  });
  return Object.freeze({ principal, identity, token });
}

// `scope` (RFC 6749 §3.3: items separated by U+0020 only) and `scopes` (an array) are both read.
// A token carrying both must say the same set in each: were they merged, a token that says
// `data:read` in one could be `admin` through the other. Items are taken as written, never
// trimmed: " admin" or "admin\u00a0" is an unknown scope, not `admin`. A claim of the wrong type
// makes the token invalid rather than scope-less.
function scopesOf(claims: JWTPayload): string[] {
  const { scope, scopes } = claims;
  let fromScope: Set<string> | undefined;
  let fromScopes: Set<string> | undefined;
  if (scope !== undefined && scope !== null) {
    if (typeof scope !== "string") throw new TokenRejected('"scope" claim must be a string');
    fromScope = new Set(scope.split(" ").filter((item) => item !== ""));
  }
  if (scopes !== undefined && scopes !== null) {
    if (!Array.isArray(scopes) || !scopes.every((item) => typeof item === "string")) {
      throw new TokenRejected('"scopes" claim must be an array of strings');
    }
    fromScopes = new Set((scopes as string[]).filter((item) => item !== ""));
  }
  if (fromScope && fromScopes && !sameSet(fromScope, fromScopes)) {
    throw new TokenRejected('"scope" and "scopes" claims disagree');
  }
  return [...(fromScope ?? fromScopes ?? [])];
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((item) => b.has(item));

/** Names from tokens are kept to the length a name has everywhere else (the core's limit). */
export const MAX_NAME_LENGTH = 100;

// Names are informative only: anything but a non-empty string is treated as absent, and a long
// one is cut (a token from the identity provider must not be refused, nor fill the store).
function name(value: unknown): string | null {
  // A name the stores could not keep alike (NUL, a lone surrogate) is dropped like an empty one;
  // the token stays valid.
  if (typeof value !== "string" || value.trim() === "" || value.includes("\u0000")) return null;
  if (!value.isWellFormed()) return null;
  if (value.length <= MAX_NAME_LENGTH) return value;
  const last = value.charCodeAt(MAX_NAME_LENGTH - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return value.slice(0, splitsPair ? MAX_NAME_LENGTH - 1 : MAX_NAME_LENGTH);
}
