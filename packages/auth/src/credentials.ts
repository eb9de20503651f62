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

/** Where the credential that counts was found. */
export type CredentialSource = "authorization" | "refreshed-token" | "cookie";

/**
 * What the request carries: nothing, a token to verify, or something that cannot be a token, and
 * where it was (the cross-site guard refuses writes whose credential is the cookie).
 */
export type CredentialLookup =
  | { kind: "absent" }
  | { kind: "token"; token: string; source: CredentialSource }
  | { kind: "malformed"; source: CredentialSource };

const ABSENT: CredentialLookup = { kind: "absent" };
// Scheme, then one token with no whitespace inside (RFC 7235: scheme 1*SP token68).
const AUTHORIZATION = /^(\S+)[ \t]+(\S+)$/;

/**
 * Picks the credential by DESIGN §2's order: `Authorization: Bearer`, then `refreshed-token`, then
 * the `token` cookie. The first one present wins even when it is unusable, so an invalid header
 * never falls back to a cookie. A header that is present but empty or blank is such an unusable
 * credential: were it absent here, a cookie would be used while anything that only asks whether
 * the header exists would think otherwise. An empty `token` cookie counts as absent (it is what a
 * cleared cookie looks like). With `headerOnly`, only the `Authorization` header counts.
 */
export function readCredential(
  credentials: RequestCredentials,
  headerOnly = false,
): CredentialLookup {
  const { authorization, refreshedToken, cookie } = credentials;
  if (authorization !== undefined && authorization !== null) {
    return fromAuthorization(authorization.trim());
  }
  if (headerOnly) return ABSENT;
  if (refreshedToken !== undefined && refreshedToken !== null) {
    const token = refreshedToken.trim();
    const source = "refreshed-token";
    return token ? { kind: "token", token, source } : { kind: "malformed", source };
  }
  const fromCookie = cookie ? readCookie(cookie, "token")?.trim() : undefined;
  if (fromCookie) return { kind: "token", token: fromCookie, source: "cookie" };
  return ABSENT;
}

function fromAuthorization(value: string): CredentialLookup {
  const source = "authorization";
  const match = AUTHORIZATION.exec(value);
  const token = match?.[2];
  // Empty, a scheme with no token ("Bearer"), another scheme (Basic) or extra words: present but
  // unusable.
  if (match?.[1]?.toLowerCase() !== "bearer" || !token) return { kind: "malformed", source };
  return { kind: "token", token, source };
}
