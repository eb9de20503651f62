import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { createLoginSeal } from "../src/pages/login-state.js";
import { createOidcClient } from "../src/pages/oidc-client.js";
import { hiddenField } from "./browser/pages-harness.js";
import {
  ACCOUNT,
  CLIENT_ID,
  CLIENT_SECRET,
  signInAtProvider,
  startProvider,
  type TestProvider,
} from "./support/oidc-provider.js";

// Sign-in through a real OpenID provider (oidc-provider), driven over HTTP without a browser: the
// redirects, what each cookie carries and its attributes over http and https, and every callback
// that must sign nobody in.

const HTTP = "http://127.0.0.1:8765";
const HTTPS = "https://teams.example";
const SECRET = new Uint8Array(32).fill(3);
const CONSENT = `/teams/club/authorize?scopes=data:read,profile&return_to=${encodeURIComponent("/account/teams?from=consent")}`;

let provider: TestProvider;
beforeAll(async () => {
  provider = await startProvider([HTTP, HTTPS]);
});
afterAll(() => provider.close());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The service in process, signing people in at the test provider, reached at `publicUrl`. */
async function service(publicUrl: string, provider_ = provider) {
  const store = await openSqliteStore({ filename: ":memory:" });
  const teams = createTeams(store);
  await seedWorld(teams);
  const dataDir = mkdtempSync(join(tmpdir(), "teams-oidc-"));
  cleanups.push(
    () => store.close(),
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
  const authenticator = await createAuthenticator({
    serviceIssuer: publicUrl,
    dataDir,
    developmentMode: false,
  });
  const app = createApp({
    teams,
    authenticator,
    ping: store.ping,
    csrfSecret: SECRET,
    publicOrigin: { publicUrl },
    oidc: createOidcClient({
      issuer: provider_.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      publicUrl,
    }),
    sessionTtlSeconds: 3600,
  });
  const send = (path: string, cookie?: string, init: RequestInit = {}) =>
    app.request(new URL(path, publicUrl).href, {
      ...init,
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
  return { teams, authenticator, send };
}

/** `name=value` of the Set-Cookie for `name`, with its attributes; undefined when none. */
function setCookie(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
}
const pair = (cookie: string | undefined) => cookie?.split(";")[0] ?? "";

/** Opens the consent link signed out and follows the service to the provider: its URL and the login cookie. */
async function startSignIn(send: Awaited<ReturnType<typeof service>>["send"]) {
  const first = await send(CONSENT);
  expect(first.status).toBe(303);
  const signIn = first.headers.get("location") ?? "";
  expect(signIn).toBe(`/auth/sign-in?return_to=${encodeURIComponent(CONSENT)}`);
  const toProvider = await send(signIn);
  expect(toProvider.status).toBe(303);
  const login = setCookie(toProvider, "teams_login");
  return { authorizationUrl: toProvider.headers.get("location") ?? "", login };
}

describe("sign-in at the operator's OpenID provider", () => {
  it.each([
    ["plain http", HTTP, ""],
    ["TEAMS_PUBLIC_URL=https://...", HTTPS, "; Secure"],
  ])(
    "over %s: code with PKCE, state and nonce; lands on the page first asked, query intact; cookie attributes",
    async (_, publicUrl, secure) => {
      const { send, teams } = await service(publicUrl);
      const { authorizationUrl, login } = await startSignIn(send);
      expect(login).toMatch(
        new RegExp(
          `^teams_login=[^;]+; Path=/auth/callback; HttpOnly; SameSite=Lax${secure}; Max-Age=600$`,
        ),
      );
      const asked = new URL(authorizationUrl);
      expect(asked.origin).toBe(provider.issuer);
      expect(Object.fromEntries(asked.searchParams)).toMatchObject({
        client_id: CLIENT_ID,
        response_type: "code",
        scope: "openid profile",
        redirect_uri: `${publicUrl}/auth/callback`,
        code_challenge_method: "S256",
      });
      for (const p of ["state", "nonce", "code_challenge"])
        expect(asked.searchParams.get(p)).toBeTruthy();

      const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
      expect(callback.origin + callback.pathname).toBe(`${publicUrl}/auth/callback`);
      const back = await send(`${callback.pathname}${callback.search}`, pair(login));
      expect(back.status, await back.clone().text()).toBe(303);
      expect(back.headers.get("location")).toBe(CONSENT);
      const session = setCookie(back, "token");
      expect(session).toMatch(
        new RegExp(`^token=[^;]+; Path=/; HttpOnly; SameSite=Lax${secure}; Max-Age=3600$`),
      );
      expect(setCookie(back, "teams_login")).toMatch(/^teams_login=; .*Max-Age=0$/);
      expect(setCookie(back, "teams_id_token")).toMatch(
        new RegExp(
          `^teams_id_token=[^;]+; Path=/auth/; HttpOnly; SameSite=Lax${secure}; Max-Age=3600$`,
        ),
      );

      // The session is the provider's sub, with its names, and the pages say so.
      const page = await send(CONSENT, pair(session));
      const body = await page.text();
      expect(page.status).toBe(200);
      expect(body).toContain("Signed in as <strong>Olivia Quinn</strong>");
      expect(body).toContain("Not you?");
      const olivia = { userId: ACCOUNT.sub, authorizedParty: null, scopes: [] };
      const self = (
        await teams.listUsers(olivia, { include_managed: false, include_shared: false })
      ).items[0];
      expect(self).toMatchObject({ id: "olivia", display_name: "Olivia Quinn" });
    },
  );

  it("signs out with the pages' CSRF token, at the provider too, and 'Not you?' comes back to the page", async () => {
    const { send } = await service(HTTP);
    const { authorizationUrl, login } = await startSignIn(send);
    const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
    const back = await send(`${callback.pathname}${callback.search}`, pair(login));
    const cookies = `${pair(setCookie(back, "token"))}; ${pair(setCookie(back, "teams_id_token"))}`;
    const body = await (await send(CONSENT, cookies)).text();
    const form = {
      csrf_token: hiddenField(body, "csrf_token") ?? "",
      next: hiddenField(body, "next") ?? "",
    };
    expect(form.next).toBe(
      "/teams/club/authorize?scopes=data%3Aread%2Cprofile&return_to=%2Faccount%2Fteams%3Ffrom%3Dconsent",
    );
    const post = (fields: Record<string, string>) =>
      send("/auth/sign-out", cookies, {
        method: "POST",
        headers: { origin: HTTP, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });

    const forged = await post({ ...form, csrf_token: "x" });
    expect(forged.status).toBe(403);
    expect(setCookie(forged, "token")).toBeUndefined();

    const out = await post(form);
    expect(out.status).toBe(303);
    expect(setCookie(out, "token")).toBe("token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    expect(setCookie(out, "teams_id_token")).toMatch(/^teams_id_token=; .*Max-Age=0$/);
    const end = new URL(out.headers.get("location") ?? "");
    expect(end.origin).toBe(provider.issuer);
    expect(end.searchParams.get("id_token_hint")).toBe(
      pair(setCookie(back, "teams_id_token")).slice("teams_id_token=".length),
    );
    expect(end.searchParams.get("post_logout_redirect_uri")).toBe(`${HTTP}/auth/signed-out`);

    // Back from the provider's sign-out, to sign in again (asked afresh) and return to the page.
    const state = end.searchParams.get("state") ?? "";
    const after = await send(`/auth/signed-out?state=${state}`);
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe(
      `/auth/sign-in?return_to=${encodeURIComponent(form.next)}&prompt=login`,
    );
    const again = await send(after.headers.get("location") ?? "");
    expect(new URL(again.headers.get("location") ?? "").searchParams.get("prompt")).toBe("login");
    // A state that is no path here leads nowhere else.
    const evil = Buffer.from("//evil.example/x").toString("base64url");
    const refused = await send(`/auth/signed-out?state=${evil}`);
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain("You are signed out");
  });
});

describe("a callback that must sign nobody in: a clear page, no session cookie", () => {
  async function refusedPage(res: Response) {
    expect(res.status).toBe(400);
    expect(setCookie(res, "token")).toBeUndefined();
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const body = await res.text();
    expect(body).toContain("The sign-in did not work");
    return body;
  }

  it("refuses a replayed code, even with the sign-in's own cookie kept", async () => {
    const { send } = await service(HTTP);
    const { authorizationUrl, login } = await startSignIn(send);
    const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
    const path = `${callback.pathname}${callback.search}`;
    expect((await send(path, pair(login))).status).toBe(303);
    await refusedPage(await send(path, pair(login)));
    // A browser that followed the first answer has no login cookie left at all.
    await refusedPage(await send(path));
  });

  it("refuses a tampered state", async () => {
    const { send } = await service(HTTP);
    const { authorizationUrl, login } = await startSignIn(send);
    const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
    callback.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    await refusedPage(await send(`${callback.pathname}${callback.search}`, pair(login)));
  });

  it("refuses a callback whose ID token carries another nonce than the sign-in's", async () => {
    const { send } = await service(HTTP);
    const { authorizationUrl, login } = await startSignIn(send);
    const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
    // The same sign-in (state, verifier) resealed with another nonce, as only the server could.
    const payload = pair(login).slice("teams_login=".length).split(".")[0] ?? "";
    const state = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const other = createLoginSeal(SECRET).set(
      { state: state.s, codeVerifier: state.v, nonce: `${state.n}x`, returnTo: state.r },
      false,
    );
    await refusedPage(await send(`${callback.pathname}${callback.search}`, pair(other)));
  });

  it("refuses the provider's error, and a login cookie that was tampered with", async () => {
    const { send } = await service(HTTP);
    const { authorizationUrl, login } = await startSignIn(send);
    const state = new URL(authorizationUrl).searchParams.get("state");
    const denied = await refusedPage(
      await send(`/auth/callback?error=access_denied&state=${state}`, pair(login)),
    );
    expect(denied).toContain("access_denied");
    const callback = await signInAtProvider(authorizationUrl, ACCOUNT.sub);
    await refusedPage(await send(`${callback.pathname}${callback.search}`, `${pair(login)}x`));
  });

  it("says the provider cannot be reached, and sets nothing, when it is down", async () => {
    const down = await startProvider([HTTP]);
    await down.close();
    const { send } = await service(HTTP, down);
    const res = await send("/auth/sign-in?return_to=/account/teams");
    expect(res.status).toBe(503);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await res.text()).toContain("The sign-in service cannot be reached");
  });
});
