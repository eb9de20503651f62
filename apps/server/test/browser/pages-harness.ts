import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthenticator } from "@teams/auth";
import { createTeams, type Teams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { createApp } from "../../src/app.js";
import { SECRET, type TokenClaims, token } from "../harness.js";

/** Where `app.request` says requests come from. */
export const OWN_ORIGIN = "http://localhost";

export interface PagesHarness {
  teams: Teams;
  /** Mints a token: HS256 with the test secret, or the development key in development mode. */
  token(claims: TokenClaims): Promise<string>;
  /** A `Cookie` header signed in as `sub` (`azp` makes it a delegated session). */
  cookie(claims: TokenClaims): Promise<string>;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** GETs a page, returning the response and its text. */
  page(path: string, cookie?: string): Promise<{ res: Response; body: string }>;
  /** Posts a form as a same-origin page would, unless `headers` say otherwise. */
  post(
    path: string,
    fields: [string, string][] | Record<string, string>,
    options?: { cookie?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  /** The scopes `sub` granted, as the REST API says them (the source of truth the pages must agree with). */
  authorized(sub: string): Promise<{ id: string; scopes: string[] }[]>;
  /** Another instance of the server over the same store and keys (`csrfSecret` its own). */
  twin(csrfSecret?: Uint8Array): Pick<PagesHarness, "page" | "post">;
  close(): Promise<void>;
}

/**
 * The app in process over an in-memory store seeded with the fixtures' world (coach owns club, ann
 * is managed by coach, carl is a regular user). `development` uses a development key in a temporary
 * folder instead of the HS256 test secret.
 */
export async function pagesHarness(
  options: { development?: boolean; allowedReturnOrigins?: string[]; csrfSecret?: Uint8Array } = {},
): Promise<PagesHarness> {
  const store = await openSqliteStore({ filename: ":memory:" });
  const teams = createTeams(store);
  await seedWorld(teams);
  const dataDir = options.development ? mkdtempSync(join(tmpdir(), "teams-pages-")) : undefined;
  const authenticator = await createAuthenticator(
    dataDir ? { dataDir } : { jwtSecret: SECRET, externalAzp: "actor" },
  );
  const appOf = (csrfSecret: Uint8Array | undefined) =>
    createApp({
      teams,
      authenticator,
      ping: store.ping,
      ...(options.allowedReturnOrigins
        ? { allowedReturnOrigins: options.allowedReturnOrigins }
        : {}),
      ...(csrfSecret ? { csrfSecret } : {}),
    });
  const app = appOf(options.csrfSecret);
  const mint = async (claims: TokenClaims): Promise<string> => {
    if (!authenticator.mintToken) return token(claims);
    return authenticator.mintToken({
      sub: String(claims.sub),
      ...(claims.azp ? { azp: claims.azp } : {}),
      scope: claims.scope ?? "data:read data:write profile",
    });
  };
  const request = async (path: string, init: RequestInit = {}) => app.request(path, init);
  const browse = (
    send: (path: string, init?: RequestInit) => Promise<Response>,
  ): Pick<PagesHarness, "page" | "post"> => ({
    async page(path, cookie) {
      const res = await send(path, cookie ? { headers: { cookie } } : {});
      return { res, body: await res.text() };
    },
    post(path, fields, { cookie, headers = {} } = {}) {
      const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
      return send(path, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: OWN_ORIGIN,
          "sec-fetch-site": "same-origin",
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        body: body.toString(),
      });
    },
  });
  return {
    teams,
    token: mint,
    cookie: async (claims) => `token=${await mint(claims)}`,
    request,
    ...browse(request),
    twin(csrfSecret) {
      const other = appOf(csrfSecret);
      return browse(async (path, init = {}) => other.request(path, init));
    },
    async authorized(sub) {
      const res = await request("/api/v1/teams/authorized", {
        headers: { authorization: `Bearer ${await mint({ sub })}` },
      });
      if (res.status !== 200) throw new Error(`REST answered ${res.status}`);
      const teamsList = (await res.json()) as { id: string; scopes: string[] }[];
      return teamsList.map(({ id, scopes }) => ({ id, scopes }));
    },
    async close() {
      await store.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of the hidden input `name` in a page (the pages quote attributes with "). */
export function hiddenField(body: string, name: string): string | undefined {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(body);
  return match?.[1]?.replace(/&amp;/g, "&").replace(/&quot;/g, '"');
}
