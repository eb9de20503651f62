import { createHmac } from "node:crypto";
import { readCookie } from "./cookie-value.js";
import { openValue, sealValue } from "./sealed-value.js";

// One sign-in at the provider, from the redirect there to the callback: its `state`, PKCE verifier,
// `nonce` and the page to land on travel in a cookie signed with the pages' secret, sent only to
// the callback and good for ten minutes. A callback whose `state` is not the cookie's, or with no
// cookie (another browser, or the cookie already used: the callback forgets it), is refused.

/** The cookie of a sign-in in progress; only `/auth/callback` receives it. */
export const LOGIN_COOKIE = "teams_login";
export const CALLBACK_PATH = "/auth/callback";
/** How long a person may take at the provider, in seconds. */
export const LOGIN_TTL_SECONDS = 600;

export interface LoginState {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** The page first asked for (a path here, with its query). */
  returnTo: string;
}

export interface LoginSeal {
  /** The `Set-Cookie` carrying `login`. */
  set(login: LoginState, secure: boolean): string;
  /** The sign-in in `cookieHeader`, when this server made it and it has not expired. */
  read(cookieHeader: string | null | undefined): LoginState | undefined;
  /** The `Set-Cookie` that forgets it: a callback uses it once. */
  clear(secure: boolean): string;
}

const attributes = (secure: boolean) =>
  `Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

/** `payload.mac`: base64url JSON `{s, v, n, r, e}`, an HMAC under `secret`. `now` is for tests. */
export function createLoginSeal(secret: Uint8Array, now: () => number = Date.now): LoginSeal {
  const mac = (payload: string) =>
    createHmac("sha256", secret).update("teams-pages-login\0").update(payload).digest();
  return {
    set(login, secure) {
      const e = Math.floor(now() / 1000) + LOGIN_TTL_SECONDS;
      const { state: s, codeVerifier: v, nonce: n, returnTo: r } = login;
      const value = sealValue({ s, v, n, r, e }, mac);
      return `${LOGIN_COOKIE}=${value}; ${attributes(secure)}; Max-Age=${LOGIN_TTL_SECONDS}`;
    },
    read(cookieHeader) {
      const parsed = openValue(readCookie(cookieHeader, LOGIN_COOKIE), 4000, mac);
      if (!parsed) return undefined;
      const { s, v, n, r, e } = parsed;
      const texts = [s, v, n, r].every((t) => typeof t === "string" && t !== "");
      if (!texts || typeof e !== "number" || e < now() / 1000) return undefined;
      return { state: s, codeVerifier: v, nonce: n, returnTo: r } as LoginState;
    },
    clear: (secure) => `${LOGIN_COOKIE}=; ${attributes(secure)}; Max-Age=0`,
  };
}
