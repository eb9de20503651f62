import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import { chromiumMissing, launchChromium } from "./browser/chromium.js";
import { type SampleApp, startSampleApp } from "./browser/sample-app.js";
import {
  ACCOUNT,
  CLIENT_ID,
  CLIENT_SECRET,
  startProvider,
  type TestProvider,
} from "./support/oidc-provider.js";

// A person in a real headless browser signs in at a real OpenID provider (oidc-provider, on
// another loopback address): opens a team's consent link signed out, signs in at the provider,
// lands on the consent page, allows, goes back to return_to, sees the team on their teams page,
// signs out (at the provider too). Then a tampered state and a replayed code sign nobody in.

const missing = chromiumMissing();
if (missing) console.warn(missing);

// The API also takes HS256 tokens here, for the test's own setup and checks: the same user ids
// (the provider's `sub`) as the pages' sessions.
const SECRET = "an-api-secret-of-at-least-thirty-two-bytes";
const key = new TextEncoder().encode(SECRET);
const apiToken = (sub: string, scope = "data:read data:write profile") =>
  new SignJWT({ sub, scope })
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("1h")
    .sign(key);

let dir: string;
let provider: TestProvider;
let server: RunningServer;
let app: SampleApp;
let browser: Browser;
let base: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function context(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  // The provider's development pages import a web font: nothing leaves this machine.
  await context.route("https://fonts.googleapis.com/**", (route) => route.abort());
  return { context, page: await context.newPage() };
}

/** At the provider's development login and consent forms, as `login`. */
async function signInAtProvider(page: Page, login: string) {
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any password");
  await page.click('button[type="submit"]');
  await page.waitForSelector('input[name="prompt"][value="consent"]', { state: "attached" });
  await page.click('button[type="submit"]');
}

const sessionCookie = async (c: BrowserContext) =>
  (await c.cookies(base)).find((cookie) => cookie.name === "token");

describe.skipIf(missing !== undefined)("sign-in at an OpenID provider in a real browser", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "teams-oidc-browser-"));
    app = await startSampleApp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startProvider([base], "127.0.0.3");
    const config = loadConfig(
      {
        PORT: String(port),
        HOST: "127.0.0.1",
        TEAMS_PUBLIC_URL: base,
        TEAMS_OIDC_ISSUER: provider.issuer,
        TEAMS_OIDC_CLIENT_ID: CLIENT_ID,
        TEAMS_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        TEAMS_JWT_SECRET: SECRET,
        TEAMS_DATABASE: join(dir, "teams.db"),
        TEAMS_CORS_ORIGINS: app.origin,
        TEAMS_LOG: "off",
      },
      dir,
    );
    expect(config.development).toBe(false);
    server = await startServer(config, undefined);
    const put = await fetch(`${base}/api/v1/admin/teams/club`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${await apiToken("platform", "admin")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        name: "Harbour Rowing Club",
        description: "Crews of all ages training on the harbour.",
        url: `${app.origin}/`,
        image: `${app.origin}/logo.svg`,
        privacy_statement: `${app.origin}/privacy`,
      }),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("signs in at the provider from a consent link, allows, returns, sees the team, signs out", async () => {
    const { context: c, page } = await context();
    try {
      const returnTo = `${app.origin}/done`;
      const link = `${base}/teams/club/authorize?scopes=data:read,profile&return_to=${encodeURIComponent(returnTo)}`;
      await page.goto(link);
      await signInAtProvider(page, ACCOUNT.sub);

      // Back on the consent page first asked for, its query intact, signed in as the provider said.
      await page.waitForURL((url) => url.pathname === "/teams/club/authorize");
      expect(page.url()).toBe(link);
      expect(await page.textContent(".who")).toContain("Signed in as Olivia Quinn");
      expect(await page.textContent("h1")).toContain("Share your data with Harbour Rowing Club?");
      const cookie = await sessionCookie(c);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });

      await page.click('button[value="allow"]');
      await page.waitForURL((url) => url.origin === app.origin);
      expect(new URL(page.url()).pathname).toBe("/done");
      expect(await page.textContent("#consent")).toBe("granted");

      // The API, with the provider's sub as user id, agrees.
      const authorized = await fetch(`${base}/api/v1/teams/authorized`, {
        headers: { authorization: `Bearer ${await apiToken(ACCOUNT.sub)}` },
      });
      expect(
        ((await authorized.json()) as { id: string; scopes: string[] }[]).map((t) => t.id),
      ).toEqual(["club"]);

      await page.goto(`${base}/account/teams`);
      expect(await page.textContent("main")).toContain("Harbour Rowing Club");

      // Sign out: here, then at the provider (its confirmation), then back here.
      await page.click('form.sign-out button[type="submit"]');
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.click('button[name="logout"]');
      await page.waitForURL((url) => url.pathname === "/auth/signed-out");
      expect(await page.textContent("h1")).toBe("You are signed out");
      expect(await sessionCookie(c)).toBeUndefined();

      // Signed out at the provider too: the teams page sends the person to its login again.
      await page.goto(`${base}/account/teams`);
      await page.waitForSelector('input[name="login"]');
    } finally {
      await c.close();
    }
  }, 60_000);

  it("signs nobody in when the state the provider carries back was tampered with", async () => {
    const { context: c, page } = await context();
    try {
      // The sign-in starts as from a page (its login cookie lands in this browser); the state on
      // its way to the provider is changed, as an attacker's link would.
      const start = await c.request.get(`${base}/auth/sign-in?return_to=/account/teams`, {
        maxRedirects: 0,
      });
      expect(start.status()).toBe(303);
      const authorize = new URL(start.headers().location ?? "");
      authorize.searchParams.set("state", `${authorize.searchParams.get("state")}x`);
      await page.goto(authorize.href);
      await signInAtProvider(page, ACCOUNT.sub);
      await page.waitForURL((url) => url.pathname === "/auth/callback");
      expect(await page.textContent("h1")).toBe("The sign-in did not work");
      expect(await sessionCookie(c)).toBeUndefined();
    } finally {
      await c.close();
    }
  }, 60_000);

  it("refuses a replayed code after a completed sign-in", async () => {
    const { context: c, page } = await context();
    try {
      let callback: string | undefined;
      page.on("request", (request) => {
        if (request.url().startsWith(`${base}/auth/callback`)) callback ??= request.url();
      });
      await page.goto(`${base}/account/teams`);
      await signInAtProvider(page, ACCOUNT.sub);
      await page.waitForURL(`${base}/account/teams`);
      expect(await sessionCookie(c)).toBeDefined();
      await c.clearCookies();
      await page.goto(callback ?? "");
      expect(await page.textContent("h1")).toBe("The sign-in did not work");
      expect(await sessionCookie(c)).toBeUndefined();
    } finally {
      await c.close();
    }
  }, 60_000);
});
