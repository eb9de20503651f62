import { readCookie } from "./cookie.js";

/** Where a request may carry its token (DESIGN §2), as the host read them from its headers. */
export interface RequestCredentials {
  /** The `Authorization` header. */
  authorization?: string | null;
  /** The `refreshed-token` header: a bare token. */
  refreshedToken?: string | null;
  /** The `Cookie` header; the token is the `token` cookie. */
  cookie?: string | null;
}

/** What the request carries: nothing, a token to verify, or something that cannot be a token. */
export type CredentialLookup =
  | { kind: "absent" }
  | { kind: "token"; token: string }
  | { kind: "malformed" };

const ABSENT: CredentialLookup = { kind: "absent" };
const MALFORMED: CredentialLookup = { kind: "malformed" };
// Scheme, then one token with no whitespace inside (RFC 7235: scheme 1*SP token68).
const AUTHORIZATION = /^(\S+)[ \t]+(\S+)$/;

/**
 * Picks the credential by DESIGN §2's order: `Authorization: Bearer`, then `refreshed-token`, then
 * the `token` cookie. The first one present wins even when it is unusable, so an invalid header
 * never falls back to a cookie. Empty values count as absent (as FastAPI's `HTTPBearer` does).
 * With `headerOnly`, only the `Authorization` header counts.
 */
export function readCredential(
  credentials: RequestCredentials,
  headerOnly = false,
): CredentialLookup {
  const authorization = credentials.authorization?.trim();
  if (authorization) return fromAuthorization(authorization);
  if (headerOnly) return ABSENT;
  const refreshed = credentials.refreshedToken?.trim();
  if (refreshed) return { kind: "token", token: refreshed };
  const cookie = credentials.cookie ? readCookie(credentials.cookie, "token")?.trim() : undefined;
  if (cookie) return { kind: "token", token: cookie };
  return ABSENT;
}

function fromAuthorization(value: string): CredentialLookup {
  const match = AUTHORIZATION.exec(value);
  const token = match?.[2];
  // A scheme with no token ("Bearer"), another scheme (Basic) or extra words: present but unusable.
  if (match?.[1]?.toLowerCase() !== "bearer" || !token) return MALFORMED;
  return { kind: "token", token };
}
