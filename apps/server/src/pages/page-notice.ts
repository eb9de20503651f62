import { createHmac } from "node:crypto";
import { readCookie } from "./cookie-value.js";
import { openValue, sealValue } from "./sealed-value.js";

// What a page says the person just did ("Club no longer has access to your data") comes from the
// form post that did it, never from the address: an address anyone can craft would let them show
// any team's name as a message on this site. The post leaves a short-lived cookie signed for the
// session; the next page shows it once and forgets it.

/** The cookie carrying the outcome; only the teams page reads it. */
export const NOTICE_COOKIE = "teams_notice";
const NOTICE_PATH = "/account/teams";
/** How long an outcome waits for its page, in seconds: the 303 is followed at once. */
const NOTICE_TTL_SECONDS = 60;

export interface Outcome {
  kind: "granted" | "revoked";
  teamId: string;
}

export interface NoticeSeal {
  /** The `Set-Cookie` carrying `outcome` for `session` (the `token` cookie's value). */
  set(session: string, outcome: Outcome, secure: boolean): string;
  /** The outcome in `cookieHeader`, when it was made for `session` and has not expired. */
  read(session: string, cookieHeader: string | null | undefined): Outcome | undefined;
  /** Whether `cookieHeader` carries a notice cookie at all (to forget it). */
  present(cookieHeader: string | null | undefined): boolean;
  /** The `Set-Cookie` that forgets the notice: it is shown once. */
  clear(secure: boolean): string;
}

const attributes = (secure: boolean) =>
  `Path=${NOTICE_PATH}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

/**
 * Outcomes are `payload.mac`: the payload is base64url JSON `{k, t, e}` (kind, team id, expiry in
 * epoch seconds), the MAC an HMAC over session and payload under the pages' secret, so an outcome
 * is good only for the session that made it, and only for a minute. `now` is for tests.
 */
export function createNoticeSeal(secret: Uint8Array, now: () => number = Date.now): NoticeSeal {
  const mac = (session: string, payload: string) =>
    createHmac("sha256", secret)
      .update("teams-pages-notice\0")
      .update(session)
      .update("\0")
      .update(payload)
      .digest();
  return {
    set(session, outcome, secure) {
      const expires = Math.floor(now() / 1000) + NOTICE_TTL_SECONDS;
      const value = sealValue({ k: outcome.kind, t: outcome.teamId, e: expires }, (payload) =>
        mac(session, payload),
      );
      return `${NOTICE_COOKIE}=${value}; ${attributes(secure)}; Max-Age=${NOTICE_TTL_SECONDS}`;
    },
    read(session, cookieHeader) {
      const sealed = readCookie(cookieHeader, NOTICE_COOKIE);
      const parsed = openValue(sealed, 2000, (payload) => mac(session, payload));
      if (!parsed) return undefined;
      const { k, t, e } = parsed;
      if ((k !== "granted" && k !== "revoked") || typeof t !== "string" || typeof e !== "number") {
        return undefined;
      }
      if (e < now() / 1000) return undefined;
      return { kind: k, teamId: t };
    },
    present: (cookieHeader) => readCookie(cookieHeader, NOTICE_COOKIE) !== undefined,
    clear: (secure) => `${NOTICE_COOKIE}=; ${attributes(secure)}; Max-Age=0`,
  };
}
