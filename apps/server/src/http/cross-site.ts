import { readCredential } from "@teams/auth";
import { requestCredentials } from "./credentials.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request came from another site, by the headers browsers set and pages cannot forge:
 * an `Origin` present (including the opaque `null`) that is neither ours nor trusted, or a
 * `Sec-Fetch-Site` other than same-origin or none (a sibling subdomain is another party too)
 * unless the origin is a trusted one.
 */
export function isCrossSite(
  headers: Headers,
  ownOrigin: string,
  trustedOrigins: readonly string[] = [],
): boolean {
  const origin = headers.get("origin");
  // A configured origin is another site by nature; our own origin must also say same-origin.
  const trustedElsewhere = origin !== null && trustedOrigins.includes(origin);
  if (origin !== null && origin !== ownOrigin && !trustedElsewhere) return true;
  const site = headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none" && !trustedElsewhere;
}

/**
 * The API's guard against request forgery: a write whose only credential is the `token` cookie
 * must come from our own origin or a configured one (TEAMS_CORS_ORIGINS). Header credentials
 * cannot be attached by another site, so they need no such check. Which credential counts is
 * read by the authenticator's own reader, so the guard and authentication never disagree (an
 * empty header is not a header credential here and the cookie there).
 */
export function isForgeableCookieWrite(
  method: string,
  headers: Headers,
  ownOrigin: string,
  trustedOrigins: readonly string[],
): boolean {
  const found = readCredential(requestCredentials(headers));
  return (
    found.kind !== "absent" &&
    found.source === "cookie" &&
    !SAFE_METHODS.has(method.toUpperCase()) &&
    isCrossSite(headers, ownOrigin, trustedOrigins)
  );
}
