import { readCookie } from "./cookie-value.js";
import { html } from "./html.js";
import { CALLBACK_PATH } from "./login-state.js";
import { messagePage } from "./message-page.js";
import { ProviderUnavailable, SIGNED_OUT_PATH, SignInFailed } from "./oidc-client.js";
import { problem } from "./page-errors.js";
import {
  ACCOUNT_PATH,
  isSecure,
  ownOrigin,
  type PageKit,
  SIGN_IN_PATH,
  signInPath,
} from "./page-kit.js";
import { pageResponse } from "./page-response.js";
import { sessionCookieHeader } from "./page-session.js";

/** The scopes of a browser session: a person's own, as a regular token has them. */
const SESSION_SCOPES = ["data:read", "data:write", "profile"];

/**
 * The ID token of the provider's sign-in, kept for `id_token_hint` at sign-out only: sent to
 * `/auth/` alone, HttpOnly, as long as the session.
 */
const ID_TOKEN_COOKIE = "teams_id_token";
const idTokenCookie = (secure: boolean, value: string, maxAge: number) =>
  `${ID_TOKEN_COOKIE}=${value}; Path=/auth/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}; Max-Age=${maxAge}`;

/** A 303 with several cookies (a Headers object: a record holds one `set-cookie`). */
function redirect(location: string, cookies: string[]): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  // The provider's URL carries state; the callback's carries a code: neither goes on as a Referer.
  headers.set("referrer-policy", "no-referrer");
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

const unavailable = (forget?: string) =>
  problem(
    503,
    "The sign-in service cannot be reached",
    html`<p>Nothing was changed. Please try again in a moment.</p>`,
    { "retry-after": "5", ...(forget ? { "set-cookie": forget } : {}) },
  );

/**
 * Sign-in through the operator's OpenID Connect provider (issue 17): `GET /auth/sign-in` sends the
 * person there, `GET /auth/callback` checks the answer and starts the session (the `token` cookie,
 * a service token of kind "session" for the provider's `sub`); `GET /auth/signed-out` is where the
 * provider's sign-out comes back. `POST /auth/sign-out` ends the session in every mode.
 */
export function authRoutes(kit: PageKit): void {
  const { app, page, headers, oidc } = kit;

  // A post with the pages' CSRF token, not a GET: a GET could be fired by any other page (an
  // <img>), signing people out against their will. "Not you?" posts `next`, the page to sign in again to.
  app.post(
    "/auth/sign-out",
    page(async (c) => {
      // Any session may sign out, a delegated one included: it is how a person gets rid of it.
      const { form } = await kit.formPost(c, "anyone");
      const back = kit.localPath(c, form.get("next"));
      const secure = isSecure(c);
      const cookies = [sessionCookieHeader(secure, "", 0)];
      if (!oidc) return redirect(back ?? ACCOUNT_PATH, cookies);
      cookies.push(idTokenCookie(secure, "", 0));
      const idToken = readCookie(c.req.header("cookie"), ID_TOKEN_COOKIE);
      // The way back after the provider's sign-out: a path, which `/auth/signed-out` checks again.
      const state = back ? Buffer.from(back).toString("base64url") : undefined;
      const end = await oidc.endSessionUrl(idToken, state);
      return redirect(end ?? (back ? signInPath(back, true) : SIGNED_OUT_PATH), cookies);
    }),
  );

  if (!oidc) return;

  app.get(
    SIGN_IN_PATH,
    page(async (c) => {
      const back = kit.localPath(c, c.req.query("return_to")) ?? ACCOUNT_PATH;
      const fresh = c.req.query("prompt") === "login";
      const started = await oidc.begin(back, { fresh }).catch((error: unknown) => {
        if (error instanceof ProviderUnavailable) throw unavailable();
        throw error;
      });
      return redirect(started.url, [kit.logins.set(started.login, isSecure(c))]);
    }),
  );

  app.get(
    CALLBACK_PATH,
    page(async (c) => {
      const secure = isSecure(c);
      // Used once, whatever happens: a replayed callback finds no sign-in to finish.
      const forget = kit.logins.clear(secure);
      const refused = (why: string) =>
        problem(
          400,
          "The sign-in did not work",
          html`<p>${why} Nobody was signed in.</p>
<p><a href="${signInPath(ACCOUNT_PATH)}">Sign in again</a></p>`,
          { "set-cookie": forget },
        );
      const login = kit.logins.read(c.req.header("cookie"));
      if (!login) {
        throw refused("It expired, was already used, or was started in another browser.");
      }
      const callback = new URL(`${CALLBACK_PATH}${new URL(c.req.url).search}`, ownOrigin(c));
      let person: Awaited<ReturnType<typeof oidc.finish>>;
      try {
        person = await oidc.finish(callback, login);
      } catch (error) {
        if (error instanceof SignInFailed) throw refused(error.message);
        if (error instanceof ProviderUnavailable) throw unavailable(forget);
        throw error;
      }
      let session: string;
      try {
        ({ token: session } = await kit.authenticator.issueToken({
          kind: "session",
          sub: person.sub,
          scopes: SESSION_SCOPES,
          ttlSeconds: kit.sessionTtlSeconds,
          ...(person.givenName ? { given_name: person.givenName } : {}),
          ...(person.familyName ? { family_name: person.familyName } : {}),
        }));
      } catch (error) {
        // An id this service cannot use (too long, control characters): refused, not a 500.
        if (error instanceof RangeError) throw refused("The account's id cannot be used here.");
        throw error;
      }
      const cookies = [forget, sessionCookieHeader(secure, session, kit.sessionTtlSeconds)];
      if (person.idToken)
        cookies.push(idTokenCookie(secure, person.idToken, kit.sessionTtlSeconds));
      const back = kit.localPath(c, login.returnTo) ?? ACCOUNT_PATH;
      return redirect(back, cookies);
    }),
  );

  app.get(
    SIGNED_OUT_PATH,
    page(async (c) => {
      const state = c.req.query("state");
      const back = state
        ? kit.localPath(c, Buffer.from(state, "base64url").toString("utf8"))
        : undefined;
      if (back) return redirect(signInPath(back, true), []);
      return pageResponse(
        200,
        messagePage({
          title: "You are signed out",
          body: html`<p><a href="${signInPath(ACCOUNT_PATH)}">Sign in again</a></p>`,
        }),
        headers,
      );
    }),
  );
}
