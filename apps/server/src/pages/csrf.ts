import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Cookie-authenticated writes are forgeable by any page the person visits, so every form post of
// the pages is checked twice: where it comes from (Origin / Sec-Fetch-Site, which browsers set and
// pages cannot), and a token only our own pages know, bound to the session.

/**
 * Whether `text` is base64url exactly as Node writes it: the alphabet, no padding, and no stray
 * bits in the last character. Node's decoder ignores what does not fit (a trailing `=`, other
 * characters), so without this many spellings would decode to one token (issue 12, item 11).
 */
export function canonicalBase64url(text: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return false;
  return Buffer.from(text, "base64url").toString("base64url") === text;
}

export interface CsrfGuard {
  /** The token to put in a form of the session `session` (the `token` cookie's value). */
  tokenFor(session: string): string;
  /** Whether `token` is the one of `session`; constant-time. */
  verify(session: string, token: string | null | undefined): boolean;
}

/**
 * Tokens are an HMAC of the session under a secret of this process: nothing to store, different for
 * every session, and useless after the session changes. A restart (a new secret) only makes a form
 * left open fail once; reloading it fixes that.
 */
export function createCsrfGuard(secret: Uint8Array = randomBytes(32)): CsrfGuard {
  const mac = (session: string) =>
    createHmac("sha256", secret).update("teams-pages-csrf\0").update(session).digest();
  return {
    tokenFor: (session) => mac(session).toString("base64url"),
    verify(session, token) {
      if (typeof token !== "string" || token.length === 0 || token.length > 100) return false;
      if (!canonicalBase64url(token)) return false;
      const given = Buffer.from(token, "base64url");
      const expected = mac(session);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
