import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Cookie-authenticated writes are forgeable by any page the person visits, so every form post of
// the pages is checked twice: where it comes from (Origin / Sec-Fetch-Site, which browsers set and
// pages cannot), and a token only our own pages know, bound to the session.

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
      const given = Buffer.from(token, "base64url");
      const expected = mac(session);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
