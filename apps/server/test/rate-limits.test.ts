import { setTimeout as sleep } from "node:timers/promises";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { RateLimitOptions } from "../src/http/rate-limits.js";
import { SECRET, token } from "./harness.js";

// Issue 18, item 4: limits per client address, per authenticated caller and on failed
// authentications; a 429 says when to come back (Retry-After) and which policy it met (the IETF
// draft's RateLimit-Policy and RateLimit structured fields).

let closeStore: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeStore?.();
  closeStore = undefined;
});

async function appWith(rateLimits: RateLimitOptions) {
  const store = await openSqliteStore({ filename: ":memory:" });
  closeStore = () => store.close();
  const teams = createTeams(store);
  await seedWorld(teams);
  const app = createApp({
    teams,
    authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
    ping: store.ping,
    rateLimits,
  });
  /** A request from the connection peer `peer` (as @hono/node-server passes it). */
  const send = async (
    path: string,
    { sub = "carl", peer = "10.0.0.9", headers = {} as Record<string, string> } = {},
  ) =>
    app.request(
      `http://127.0.0.1:8000${path}`,
      {
        headers: {
          ...(sub ? { authorization: `Bearer ${await token({ sub })}` } : {}),
          ...headers,
        },
      },
      { incoming: { socket: { remoteAddress: peer } } },
    );
  return send;
}

const statuses = async (n: number, call: () => Promise<Response>) => {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await call()).status);
  return seen;
};

describe("rate limits", () => {
  it("answers an address over its limit 429 with the draft's headers, and serves it again after the window", async () => {
    const send = await appWith({ perAddress: 3, windowSeconds: 1 });
    expect(await statuses(3, () => send("/api/v1/teams/"))).toEqual([200, 200, 200]);
    const refused = await send("/api/v1/teams/");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ detail: "Too Many Requests" });
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("ratelimit-policy")).toBe('"address";q=3;w=1');
    expect(refused.headers.get("ratelimit")).toBe('"address";r=0;t=1');
    expect(refused.headers.get("cache-control")).toBe("no-store");
    // Another client is untouched.
    expect((await send("/api/v1/teams/", { peer: "10.0.0.10", sub: "dana" })).status).toBe(200);
    await sleep(1100);
    expect((await send("/api/v1/teams/")).status).toBe(200);
  });

  it("counts an authenticated caller across addresses, on REST and tRPC alike", async () => {
    const send = await appWith({ perCaller: 2, windowSeconds: 60 });
    expect((await send("/api/v1/teams/", { peer: "10.0.0.1" })).status).toBe(200);
    expect((await send("/api/v1/teams/authorized", { peer: "10.0.0.2" })).status).toBe(200);
    const rest = await send("/api/v1/teams/", { peer: "10.0.0.3" });
    expect(rest.status).toBe(429);
    expect(rest.headers.get("ratelimit-policy")).toBe('"caller";q=2;w=60');
    expect(rest.headers.get("ratelimit")).toMatch(/^"caller";r=0;t=(60|59)$/);
    expect(Number(rest.headers.get("retry-after"))).toBeGreaterThan(58);
    const trpc = await send("/trpc/teams.list", { peer: "10.0.0.4" });
    expect(trpc.status).toBe(429);
    const body = (await trpc.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("TOO_MANY_REQUESTS");
    expect(trpc.headers.get("ratelimit-policy")).toBe('"caller";q=2;w=60');
    expect(trpc.headers.get("retry-after")).not.toBeNull();
    // Another caller from the same addresses is untouched, and so is a request without a token.
    expect((await send("/api/v1/teams/", { peer: "10.0.0.3", sub: "dana" })).status).toBe(200);
    expect((await send("/healthz", { peer: "10.0.0.3", sub: "" })).status).toBe(200);
  });

  it("refuses an address that failed authentication too often, whatever it sends next", async () => {
    const send = await appWith({ authFailures: 2, perAddress: 1000, windowSeconds: 60 });
    const bad = { authorization: "Bearer not-a-token" };
    expect((await send("/api/v1/teams/", { sub: "", headers: bad })).status).toBe(401);
    expect((await send("/api/v1/teams/", { sub: "", headers: bad })).status).toBe(401);
    const refused = await send("/api/v1/teams/");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"auth_failures";q=2;w=60');
    expect(refused.headers.get("ratelimit")).toMatch(/^"auth_failures";r=0;t=\d+$/);
    // A client at another address with a good token is served.
    expect((await send("/api/v1/teams/", { peer: "10.0.0.10" })).status).toBe(200);
  });

  it("leaves a normal client alone at the default limits", async () => {
    const { rateLimits } = loadConfig({});
    expect(rateLimits).toEqual({
      perAddress: 6000,
      perCaller: 3000,
      authFailures: 300,
      windowSeconds: 60,
    });
    const send = await appWith(rateLimits);
    const seen = await statuses(200, () => send("/api/v1/teams/"));
    expect(seen.every((s) => s === 200)).toBe(true);
  });

  it("reads the client from X-Forwarded-For only behind a trusted proxy", async () => {
    const send = await appWith({ perAddress: 1, windowSeconds: 60, trustedProxies: ["10.0.0.5"] });
    const via = (forwardedFor: string, peer = "10.0.0.5") =>
      send("/api/v1/teams/", { peer, headers: { "x-forwarded-for": forwardedFor } });
    expect((await via("203.0.113.1")).status).toBe(200);
    expect((await via("203.0.113.2")).status).toBe(200);
    // The client cannot pick its address: what it wrote left of the proxy's entry is not read.
    expect((await via("198.51.100.7, 203.0.113.1")).status).toBe(429);
    // A peer that is not a trusted proxy is itself the client, whatever it forwards.
    expect((await via("203.0.113.3", "10.0.0.6")).status).toBe(200);
    expect((await via("203.0.113.4", "10.0.0.6")).status).toBe(429);
  });

  it("reads 0 as off, and refuses a limit that is not a number", () => {
    const off = loadConfig({
      TEAMS_RATE_LIMIT: "0",
      TEAMS_RATE_LIMIT_CALLER: "0",
      TEAMS_RATE_LIMIT_AUTH_FAILURES: "0",
      TEAMS_RATE_LIMIT_WINDOW: "10",
    });
    expect(off.rateLimits).toEqual({
      perAddress: 0,
      perCaller: 0,
      authFailures: 0,
      windowSeconds: 10,
    });
    expect(() => loadConfig({ TEAMS_RATE_LIMIT: "many" })).toThrow(/TEAMS_RATE_LIMIT must be/);
    expect(() => loadConfig({ TEAMS_RATE_LIMIT_WINDOW: "0" })).toThrow(/TEAMS_RATE_LIMIT_WINDOW/);
  });
});
