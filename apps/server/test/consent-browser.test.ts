import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Authenticator, createAuthenticator } from "@teams/auth";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import { chromiumMissing, launchChromium } from "./browser/chromium.js";
import { type SampleApp, startSampleApp } from "./browser/sample-app.js";

// A person in a real headless browser: signs in with the development link, opens a team's consent
// page, unticks a scope, allows, sees the team on their teams page, revokes it; the REST API is
// asked after every step. Screenshots of both pages at desktop and phone width are kept in
// test-results/screenshots/.

const missing = chromiumMissing();
if (missing) console.warn(missing);

const screenshots = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let dir: string;
let server: RunningServer;
let app: SampleApp;
let browser: Browser;
let issuer: Authenticator;

const mint = (sub: string, scope = "data:read data:write profile") => {
  if (!issuer.mintToken) throw new Error("the server is not in development mode");
  return issuer.mintToken({ sub, scope });
};

/** What the REST API says carl authorized: the pages must always agree with it. */
async function restSaysCarlAuthorized() {
  const res = await fetch(`${server.url}/api/v1/teams/authorized`, {
    headers: { authorization: `Bearer ${await mint("carl")}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string; scopes: string[] }[]).map(({ id, scopes }) => ({
    id,
    scopes,
  }));
}

async function putTeam(id: string, body: Record<string, string>) {
  const res = await fetch(`${server.url}/api/v1/admin/teams/${id}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${await mint("platform", "admin")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A browser context at `viewport`, signed in as carl through the development sign-in link. */
async function signedIn(viewport: { width: number; height: number }, phone = false) {
  const context = await browser.newContext({
    viewport,
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/dev/sign-in?token=${await mint("carl")}`);
  expect(new URL(page.url()).pathname).toBe("/account/teams");
  return { context, page };
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** At phone width nothing may stick out sideways. */
async function fitsWidth(page: Page) {
  // Strings, not functions: this package's TypeScript has no DOM library.
  const [scroll, inner] = await page.evaluate<[number, number]>(
    "[document.documentElement.scrollWidth, window.innerWidth]",
  );
  expect(scroll).toBeLessThanOrEqual(inner);
}

const consentUrl = () =>
  `${server.url}/teams/club/authorize?scopes=data:read,data:write,profile&return_to=${encodeURIComponent(`${app.origin}/done`)}`;

describe.skipIf(missing !== undefined)("consent in a real browser", () => {
  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "teams-browser-"));
    app = await startSampleApp();
    const config = loadConfig(
      {
        PORT: "0",
        HOST: "127.0.0.1",
        TEAMS_DATABASE: join(dir, "teams.db"),
        TEAMS_CORS_ORIGINS: app.origin,
        TEAMS_LOG: "off",
      },
      dir,
    );
    server = await startServer(config, undefined);
    expect(server.mode).toBe("development");
    issuer = await createAuthenticator({ dataDir: config.dataDir });
    app.forgeTarget(`${server.url}/account/teams/club/revoke`);
    await putTeam("club", {
      name: "Harbour Rowing Club",
      description:
        "Crews of all ages training on the harbour six days a week.\nOur coaches plan your sessions from your training data.",
      url: `${app.origin}/`,
      image: `${app.origin}/logo.svg`,
      privacy_statement: `${app.origin}/privacy`,
    });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("signs in, consents with a scope unticked, sees the team, revokes it; REST agrees at each step", async () => {
    const contexts: BrowserContext[] = [];
    try {
      // Without a session: how to sign in.
      const anonymous = await browser.newContext({ viewport: DESKTOP });
      contexts.push(anonymous);
      const first = await anonymous.newPage();
      const refused = await first.goto(`${server.url}/account/teams`);
      expect(refused?.status()).toBe(401);
      await expect(first.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Sign in to continue",
      );
      expect(await first.textContent("main")).toContain("teams token --sub YOUR_USER_ID --link");
      await shoot(first, "sign-in-desktop");

      const desktop = await signedIn(DESKTOP);
      const phone = await signedIn(PHONE, true);
      contexts.push(desktop.context, phone.context);
      const page = desktop.page;
      expect(await page.textContent("main")).toContain("You do not share your data with any team.");
      expect(await restSaysCarlAuthorized()).toEqual([]);

      // The consent page: the team as its owner described it, each scope in plain words.
      const response = await page.goto(consentUrl());
      expect(response?.headers()["x-frame-options"]).toBe("DENY");
      expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Share your data with Harbour Rowing Club?",
      );
      expect(await page.textContent("main")).toContain("Crews of all ages");
      expect(
        await page.evaluate<number>('document.querySelector("img.team-logo").naturalWidth'),
      ).toBeGreaterThan(0);
      expect(await page.getByRole("link", { name: /Privacy statement/ }).getAttribute("href")).toBe(
        `${app.origin}/privacy`,
      );
      const write = page.getByRole("checkbox", { name: /Add and change your training data/ });
      for (const name of [/See your training data/, /Add and change/, /See your profile/]) {
        expect(await page.getByRole("checkbox", { name }).isChecked()).toBe(true);
      }
      await shoot(page, "consent-desktop");
      await phone.page.goto(consentUrl());
      await fitsWidth(phone.page);
      await shoot(phone.page, "consent-phone");

      // Untick one scope, allow: back at the app, and the REST API has exactly what was kept.
      await write.uncheck();
      await Promise.all([
        page.waitForURL(`${app.origin}/done?consent=granted`),
        page.getByRole("button", { name: "Allow" }).click(),
      ]);
      expect(await page.textContent("#consent")).toBe("granted");
      expect(await restSaysCarlAuthorized()).toEqual([
        { id: "club", scopes: ["data:read", "profile"] },
      ]);

      // Asking again for what is granted says so.
      await page.goto(
        `${server.url}/teams/club/authorize?scopes=profile&return_to=${encodeURIComponent(`${app.origin}/done`)}`,
      );
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Harbour Rowing Club already has access",
      );

      // The teams page lists it with its scopes and when it was granted.
      await page.goto(`${server.url}/account/teams`);
      const card = page.locator("ul.consents > li");
      expect(await card.count()).toBe(1);
      const text = (await card.textContent()) ?? "";
      expect(text).toContain("Harbour Rowing Club");
      expect(text).toContain("See your training data");
      expect(text).toContain("See your profile");
      expect(text).not.toContain("Add and change");
      // When it was granted, then the team's history (one record: this grant).
      expect(await card.locator("time").first().getAttribute("datetime")).toMatch(
        /^\d{4}-\d\d-\d\dT/,
      );
      expect(await card.locator("details.history li").count()).toBe(1);
      await shoot(page, "account-desktop");
      await phone.page.goto(`${server.url}/account/teams`);
      await fitsWidth(phone.page);
      await shoot(phone.page, "account-phone");

      // Another site's form cannot revoke it, even with the person's cookie in the browser.
      await page.goto(`${app.origin}/forge`);
      const [forged] = await Promise.all([
        page.waitForResponse(`${server.url}/account/teams/club/revoke`),
        page.getByRole("button", { name: "Claim it" }).click(),
      ]);
      expect(forged.status()).toBe(403);
      expect(await restSaysCarlAuthorized()).toEqual([
        { id: "club", scopes: ["data:read", "profile"] },
      ]);

      // The person revokes it.
      await page.goto(`${server.url}/account/teams`);
      await Promise.all([
        page.waitForResponse(`${server.url}/account/teams/club/revoke`),
        page.getByRole("button", { name: "Revoke access for Harbour Rowing Club" }).click(),
      ]);
      await page.waitForURL(`${server.url}/account/teams`);
      expect(await page.getByRole("status").textContent()).toBe(
        "Harbour Rowing Club no longer has access to your data.",
      );
      // The notice is the outcome of that post, shown once: a reload no longer says it.
      await page.reload();
      expect(await page.getByRole("status").count()).toBe(0);
      expect(await restSaysCarlAuthorized()).toEqual([]);
    } finally {
      for (const context of contexts) await context.close();
    }
  });

  it("shows a team owner's markup as text and runs none of it", async () => {
    await putTeam("tricky", {
      name: "<script>window.pwned = 1</script>Tricky",
      description: `"><img src="x" onerror="window.pwned = 2"><b>bold?</b>`,
      url: `${app.origin}/?"><script>window.pwned=3</script>`,
      image: `${app.origin}/logo.svg`,
      privacy_statement: `${app.origin}/privacy`,
    });
    const { context, page } = await signedIn(DESKTOP);
    try {
      await page.goto(`${server.url}/teams/tricky/authorize?scopes=profile`);
      expect(await page.evaluate("window.pwned")).toBeUndefined();
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Share your data with <script>window.pwned = 1</script>Tricky?",
      );
      expect(await page.locator("main b, main script, main img:not(.team-logo)").count()).toBe(0);
      expect(await page.textContent(".team-description")).toContain('<img src="x"');
    } finally {
      await context.close();
    }
  });
});
