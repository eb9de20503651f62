import { request as httpRequest } from "node:http";
import { createAuthenticator } from "@teams/auth";
import { createTeams, type Teams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { ConfigError, loadConfig } from "../src/config.js";
import type { PublicOriginOptions } from "../src/http/public-origin.js";
import { hiddenField } from "./browser/pages-harness.js";
import { SECRET, token } from "./harness.js";
import { startServerProcess } from "./process.js";

// Issue 12, item 9: the Host header no longer decides where redirects go, which origin the pages
// accept forms from, or whether the session cookie is Secure. TEAMS_PUBLIC_URL does; else a
// trusted proxy's X-Forwarded-*; else the connection, its Host checked against HOST/PORT.

const PUBLIC = "https://teams.example";
/** How a TLS proxy in front of the server forwards: plain http to the server's own address. */
const BEHIND = "http://127.0.0.1:8000";

let closeStore: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeStore?.();
  closeStore = undefined;
});

async function appWith(publicOrigin: PublicOriginOptions) {
  const store = await openSqliteStore({ filename: ":memory:" });
  closeStore = () => store.close();
  const teams: Teams = createTeams(store);
  await seedWorld(teams);
  const app = createApp({
    teams,
    authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
    ping: store.ping,
    publicOrigin,
  });
  /** A request from the connection peer `peer` (as @hono/node-server passes it). */
  const send = (path: string, init: RequestInit = {}, peer = "10.0.0.9") =>
    app.request(new URL(path, BEHIND).href, init, {
      incoming: { socket: { remoteAddress: peer } },
    });
  return { teams, send };
}

const cookieOf = async () => `token=${await token({ sub: "carl" })}`;

/** Opens the consent page for club and posts "allow", from a page of `origin`. */
async function consentFrom(
  send: Awaited<ReturnType<typeof appWith>>["send"],
  origin: string,
  headers: Record<string, string> = {},
) {
  const cookie = await cookieOf();
  const page = await send("/teams/club/authorize?scopes=profile", {
    headers: { cookie, ...headers },
  });
  expect(page.status).toBe(200);
  const body = await page.text();
  const form = new URLSearchParams([
    ["csrf_token", hiddenField(body, "csrf_token") ?? ""],
    ["asked", hiddenField(body, "asked") ?? ""],
    ["scope", "profile"],
    ["decision", "allow"],
  ]);
  return send("/teams/club/authorize", {
    method: "POST",
    headers: {
      cookie,
      origin,
      "sec-fetch-site": "same-origin",
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: form.toString(),
  });
}

describe("TEAMS_PUBLIC_URL", () => {
  it("decides the 307's Location, whatever Host says", async () => {
    const { send } = await appWith({ publicUrl: PUBLIC });
    for (const host of ["127.0.0.1:8000", "evil.example"]) {
      const res = await send("/api/v1/teams?x=1", { headers: { host } });
      expect(res.status).toBe(307);
      expect(res.headers.get("location")).toBe(`${PUBLIC}/api/v1/teams/?x=1`);
    }
  });

  it("is the OpenAPI document's server, whatever Host says", async () => {
    const { send } = await appWith({ publicUrl: PUBLIC });
    const res = await send("/openapi.json", { headers: { host: "evil.example" } });
    expect(((await res.json()) as { servers: unknown }).servers).toEqual([{ url: PUBLIC }]);
  });

  it("behind a TLS proxy, the pages accept their own form posts and the cookies are Secure", async () => {
    const { send } = await appWith({ publicUrl: PUBLIC });
    const res = await consentFrom(send, PUBLIC);
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/^teams_notice=.*; Secure; Max-Age=60$/);
    const signOut = await send("/auth/sign-out", {
      method: "POST",
      headers: {
        cookie: await cookieOf(),
        origin: PUBLIC,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "csrf_token=x",
    });
    // The token is wrong on purpose: the origin passed (403 for the token, not for the site).
    expect(signOut.status).toBe(403);
    expect(await signOut.text()).toContain("This form has expired");
  });

  it("a form from the address the proxy reaches the server at is another site", async () => {
    const { send } = await appWith({ publicUrl: PUBLIC });
    const res = await consentFrom(send, BEHIND);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("sent from another site");
  });
});

describe("TEAMS_TRUSTED_PROXIES", () => {
  const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "teams.example" };

  it("X-Forwarded-Proto and -Host count from a trusted proxy only", async () => {
    const { send } = await appWith({ trustedProxies: ["10.0.0.1"] });
    const trusted = await send("/api/v1/teams", { headers: forwarded }, "10.0.0.1");
    expect(trusted.headers.get("location")).toBe(`${PUBLIC}/api/v1/teams/`);
    const dualStack = await send("/api/v1/teams", { headers: forwarded }, "::ffff:10.0.0.1");
    expect(dualStack.headers.get("location")).toBe(`${PUBLIC}/api/v1/teams/`);
    for (const peer of ["10.0.0.2", "127.0.0.1", "::1"]) {
      const other = await send("/api/v1/teams", { headers: forwarded }, peer);
      expect(other.headers.get("location"), peer).toBe(`${BEHIND}/api/v1/teams/`);
    }
  });

  it("the consent post over the proxy passes, with a Secure notice cookie", async () => {
    const { send } = await appWith({ trustedProxies: ["10.0.0.9"] });
    const res = await consentFrom(send, PUBLIC, forwarded);
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toContain("; Secure;");
    // The same headers from anyone else change nothing: the post is from another site.
    const { send: untrusting } = await appWith({ trustedProxies: ["10.0.0.1"] });
    expect((await consentFrom(untrusting, PUBLIC, forwarded)).status).toBe(403);
  });

  it("takes the value the nearest proxy wrote and refuses one that is not a host", async () => {
    const { send } = await appWith({ trustedProxies: ["10.0.0.1"] });
    const chained = await send(
      "/api/v1/teams",
      {
        headers: {
          "x-forwarded-proto": "http, https",
          "x-forwarded-host": "evil.example, teams.example",
        },
      },
      "10.0.0.1",
    );
    expect(chained.headers.get("location")).toBe(`${PUBLIC}/api/v1/teams/`);
    for (const headers of <Record<string, string>[]>[
      { "x-forwarded-host": "evil.example/path" },
      { "x-forwarded-host": "user@evil.example" },
      { "x-forwarded-proto": "javascript" },
    ]) {
      const res = await send("/api/v1/teams", { headers }, "10.0.0.1");
      expect(res.status, JSON.stringify(headers)).toBe(400);
    }
  });
});

describe("neither: the connection decides, Host checked against HOST/PORT", () => {
  const listen = (host: string, port = 8000) => ({ listen: { host, port: () => port } });

  it.each<[string, string, boolean]>([
    ["127.0.0.1", "127.0.0.1:8000", true],
    ["127.0.0.1", "localhost:8000", true],
    ["127.0.0.1", "LOCALHOST:8000", true],
    ["127.0.0.1", "evil.example", false],
    ["127.0.0.1", "evil.example:8000", false],
    ["127.0.0.1", "127.0.0.1:9000", false],
    ["127.0.0.1", "127.0.0.1", false],
    ["127.0.0.1", "127.0.0.1:8000/x", false],
    ["127.0.0.1", "a@127.0.0.1:8000", false],
    ["127.0.0.1", "", false],
    ["::1", "[::1]:8000", true],
    ["10.1.2.3", "10.1.2.3:8000", true],
    ["10.1.2.3", "localhost:8000", false],
    ["0.0.0.0", "teams.internal:8000", true],
    ["0.0.0.0", "teams.internal:8001", false],
  ])("HOST=%s, Host: %s → %s", async (host, header, ok) => {
    const { send } = await appWith(listen(host));
    const res = await send("/healthz", { headers: header ? { host: header } : {} });
    expect(res.status).toBe(ok ? 200 : 400);
    if (!ok) expect(await res.json()).toEqual({ detail: "Invalid host header" });
  });

  it("one app judges each request's Host by itself, the port as it is now", async () => {
    let port = 8000;
    const { send } = await appWith({ listen: { host: "127.0.0.1", port: () => port } });
    const status = async (host: string) => (await send("/healthz", { headers: { host } })).status;
    expect(await status("127.0.0.1:8000")).toBe(200);
    expect(await status("evil.example:8000")).toBe(400);
    expect(await status("127.0.0.1:8000")).toBe(200);
    expect(await status("127.0.0.1:8000")).toBe(200);
    port = 8001;
    expect(await status("127.0.0.1:8000")).toBe(400);
    expect(await status("127.0.0.1:8001")).toBe(200);
  });

  it("forwarded headers from an untrusted peer are ignored, the Host check stays", async () => {
    const { send } = await appWith({ ...listen("127.0.0.1"), trustedProxies: ["10.0.0.1"] });
    const res = await send("/api/v1/teams", {
      headers: {
        host: "127.0.0.1:8000",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
      },
    });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${BEHIND}/api/v1/teams/`);
  });
});

describe("configuration", () => {
  it("reads TEAMS_PUBLIC_URL as an origin and TEAMS_TRUSTED_PROXIES as addresses", () => {
    const config = loadConfig(
      { TEAMS_PUBLIC_URL: "https://Teams.Example/", TEAMS_TRUSTED_PROXIES: "10.0.0.1, ::1" },
      "/srv",
    );
    expect(config.publicUrl).toBe(PUBLIC);
    expect(config.trustedProxies).toEqual(["10.0.0.1", "::1"]);
    const defaults = loadConfig({}, "/srv");
    expect(defaults.publicUrl).toBeUndefined();
    expect(defaults.trustedProxies).toEqual([]);
  });

  it.each([
    { TEAMS_PUBLIC_URL: "https://teams.example/base" },
    { TEAMS_PUBLIC_URL: "ftp://teams.example" },
    { TEAMS_PUBLIC_URL: "teams.example" },
    { TEAMS_TRUSTED_PROXIES: "proxy.internal" },
    { TEAMS_TRUSTED_PROXIES: "10.0.0.0/8" },
  ])("refuses %o", (env) => {
    expect(() => loadConfig(env, "/srv")).toThrow(ConfigError);
  });
});

describe("the real server", () => {
  /** A GET with a Host header of our choosing (fetch does not let one set it). */
  const get = (url: string, path: string, host: string) =>
    new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      httpRequest({ hostname, port, path, headers: { host } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      })
        .on("error", reject)
        .end();
    });

  it("checks Host against HOST/PORT, and follows TEAMS_PUBLIC_URL when set", async () => {
    const plain = await startServerProcess({
      TEAMS_DATABASE: ":memory:",
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_EXTERNAL_AZP: "actor",
      PORT: "0",
    });
    try {
      const own = new URL(plain.url).host;
      expect((await get(plain.url, "/api/v1/teams", own)).location).toBe(
        `${plain.url}/api/v1/teams/`,
      );
      expect((await get(plain.url, "/api/v1/teams", "evil.example")).status).toBe(400);
    } finally {
      plain.child.kill("SIGTERM");
      await plain.exited;
    }
    const proxied = await startServerProcess({
      TEAMS_DATABASE: ":memory:",
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_EXTERNAL_AZP: "actor",
      PORT: "0",
      TEAMS_PUBLIC_URL: PUBLIC,
    });
    try {
      const res = await get(proxied.url, "/api/v1/teams", "evil.example");
      expect(res).toEqual({ status: 307, location: `${PUBLIC}/api/v1/teams/` });
    } finally {
      proxied.child.kill("SIGTERM");
      await proxied.exited;
    }
  });
});
