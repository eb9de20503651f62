import { randomBytes } from "node:crypto";
import type { Principal, Teams } from "@teams/core";
import type { Context } from "hono";
import type { Api } from "../http/api.js";
import { isCrossSite } from "../http/cross-site.js";
import { readBody } from "../http/json-body.js";
import { isHttps, publicOrigin } from "../http/public-origin.js";
import { noteCaller, noteRefusal } from "../http/request-facts.js";
import { consentFields } from "./consent-page.js";
import { type CsrfGuard, createCsrfGuard } from "./csrf.js";
import { html, type SignedInAs } from "./html.js";
import { createLoginSeal, type LoginSeal } from "./login-state.js";
import { signInPage } from "./message-page.js";
import type { OidcClient } from "./oidc-client.js";
import { PageProblem, pageForError, problem } from "./page-errors.js";
import { createNoticeSeal, type NoticeSeal } from "./page-notice.js";
import { type PageHeaders, pageHeaders, pageResponse } from "./page-response.js";
import { consentRefusal, readSession } from "./page-session.js";
import { allowedReturnTo } from "./return-to.js";

export const ACCOUNT_PATH = "/account/teams";
export const SIGN_IN_PATH = "/auth/sign-in";

/** The sign-in at the provider that leads back to `here` (`fresh`: the provider asks who it is). */
export const signInPath = (here: string, fresh = false) =>
  `${SIGN_IN_PATH}?return_to=${encodeURIComponent(here)}${fresh ? "&prompt=login" : ""}`;

export interface PageKitOptions {
  /** Origins besides this server's that a consent page may send the person back to. */
  allowedReturnOrigins: readonly string[];
  /** Largest form accepted, in bytes. */
  maxBodyBytes: number;
  /** Secret of the CSRF tokens and of the notices; default a random one for this process. */
  csrfSecret?: Uint8Array;
  /** Where unexpected errors are reported, with the request they happened in. */
  onBug(error: unknown, request: Request): void;
  /**
   * The operator's OpenID Connect provider: a page that needs a person sends them there. Default
   * none: the sign-in page says how to sign in (a development link, or the service that sent them).
   */
  oidc?: OidcClient | undefined;
  /** Lifetime in seconds of the session a sign-in at the provider starts. Default 28800 (8 hours). */
  sessionTtlSeconds?: number;
}

type SignedIn = { token: string; principal: Principal };

/** What every page route shares: the checks a request passes before it may see or change anything. */
export interface PageKit {
  app: Api["app"];
  teams: Teams;
  authenticator: Api["authenticator"];
  development: boolean;
  /** The provider people sign in at, when configured. */
  oidc: OidcClient | undefined;
  sessionTtlSeconds: number;
  csrf: CsrfGuard;
  /** The signed state of sign-ins in progress at the provider. */
  logins: LoginSeal;
  /** The signed, one-time outcomes of form posts that the teams page shows. */
  notices: NoticeSeal;
  /** The headers of every page (CSP, no framing, no caching). */
  headers: PageHeaders;
  /** A page handler whose throws become pages with their status; a bug is reported and a 500. */
  page(handler: (c: Context) => Promise<Response>): (c: Context) => Promise<Response>;
  /** The signed-in person, or throws the sign-in page (leading back to `back`, by default here). */
  person(c: Context, back?: string): Promise<SignedIn>;
  /** Who `session` is, for the header's "Signed in as ... Not you?" (coming back to `here`). */
  signedInAs(session: SignedIn, here: string): Promise<SignedInAs>;
  /** Throws the 403 page unless the person may authorize teams for themselves. */
  mayConsent(principal: Principal): Promise<void>;
  /**
   * A form post: from this site, by the signed-in person (who may consent, unless `anyone`),
   * carrying their CSRF token. Nothing is written before all of that holds.
   */
  formPost(
    c: Context,
    who?: "consenting" | "anyone",
  ): Promise<{ form: URLSearchParams; session: SignedIn }>;
  /** An allowed address to send the person back to, or undefined. */
  returnTo(c: Context, raw: string | null | undefined): string | undefined;
  /** `raw` when it is a path on this server (validated as `return_to` is), else undefined. */
  localPath(c: Context, raw: string | null | undefined): string | undefined;
}

/** The origin people reach this server at (TEAMS_PUBLIC_URL, a trusted proxy's, or the request's). */
export const ownOrigin = (c: Context) => publicOrigin(c.req.raw);

/** Whether this request came over https, so cookies set in answer get `Secure`. */
export const isSecure = (c: Context) => isHttps(c.req.raw);

export function createPageKit(api: Api, options: PageKitOptions): PageKit {
  const { teams, authenticator } = api;
  const development = authenticator.mode === "development";
  // One secret for both: instances serving one address share it (TEAMS_CSRF_SECRET).
  const secret = options.csrfSecret ?? randomBytes(32);
  const csrf = createCsrfGuard(secret);
  const notices = createNoticeSeal(secret);
  const logins = createLoginSeal(secret);
  const { oidc } = options;
  // Browsers hold a form's redirects to `form-action` too: signing out goes on to the provider.
  const headers = pageHeaders([
    ...options.allowedReturnOrigins,
    ...(oidc ? [oidc.providerOrigin] : []),
  ]);

  async function person(c: Context, back?: string): Promise<SignedIn> {
    const session = await readSession(c.req.raw.headers, authenticator, teams, api.admitCaller);
    if (session.kind === "anonymous") {
      noteRefusal(c.req.raw, session);
      const url = new URL(c.req.url);
      const here = back ?? `${url.pathname}${url.search}`;
      // With a provider, straight there: back here after signing in, the query intact.
      if (oidc) throw new PageProblem(303, html``, { location: signInPath(here) });
      throw new PageProblem(401, signInPage({ development, expired: session.expired, here }));
    }
    noteCaller(c.req.raw, session.principal);
    return session;
  }

  async function mayConsent(principal: Principal): Promise<void> {
    const refusal = await consentRefusal(principal, teams);
    if (refusal) throw problem(403, "This session cannot use this page", html`<p>${refusal}</p>`);
  }

  const localPath = (c: Context, raw: string | null | undefined) => {
    const path = allowedReturnTo(raw, ownOrigin(c), []);
    return path?.startsWith("/") ? path : undefined;
  };

  return {
    app: api.app,
    teams,
    authenticator,
    development,
    oidc,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 28_800,
    csrf,
    logins,
    notices,
    headers,
    person,
    mayConsent,
    async signedInAs(session, here) {
      const only = { include_managed: false, include_shared: false };
      const self = (await teams.listUsers(session.principal, only)).items.find(
        (u) => u.id === session.principal.userId,
      );
      return {
        name: self?.display_name || session.principal.userId,
        csrfToken: csrf.tokenFor(session.token),
        here,
      };
    },
    page: (handler) => async (c) => {
      try {
        return await handler(c);
      } catch (error) {
        const known = pageForError(error, development);
        if (!known) options.onBug(error, c.req.raw);
        else noteRefusal(c.req.raw, error);
        const answer =
          known ??
          problem(
            500,
            "Something went wrong",
            html`<p>Nothing was changed. Please try again later.</p>`,
          );
        return pageResponse(answer.status, answer.page, headers, answer.extra);
      }
    },
    async formPost(c, who = "consenting") {
      if (isCrossSite(c.req.raw.headers, ownOrigin(c))) {
        throw problem(
          403,
          "Refused",
          html`<p>This form was sent from another site, so nothing was changed.</p>`,
        );
      }
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type.trim())) {
        throw problem(
          415,
          "This form could not be read",
          html`<p>Send it from the page itself.</p>`,
        );
      }
      const form = new URLSearchParams(await readBody(c.req.raw, options.maxBodyBytes));
      const session = await person(c, ACCOUNT_PATH);
      if (who === "consenting") await mayConsent(session.principal);
      if (!csrf.verify(session.token, form.get(consentFields.csrf))) {
        throw problem(
          403,
          "This form has expired",
          html`<p>It was not sent from a page of this session, so nothing was changed. Go back, reload the page and try again.</p>`,
        );
      }
      return { form, session };
    },
    returnTo: (c, raw) => allowedReturnTo(raw, ownOrigin(c), options.allowedReturnOrigins),
    localPath,
  };
}
