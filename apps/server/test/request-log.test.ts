import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import fc from "fast-check";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { hiddenField } from "./browser/pages-harness.js";
import { bearer, type Harness, harness, SECRET, token } from "./harness.js";
import { startServerProcess } from "./process.js";
import { type MemoryLog, memoryLogger } from "./support/memory-logger.js";

// Issue 18, point 1: one JSON line a request, with the fields an operator searches by, the reason
// of every 401 and 403, and never a credential.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let log: MemoryLog;
let h: Harness;
afterEach(() => h?.close());

const requestLines = () => log.lines.filter((l) => l.msg === "request");

/** Sends one request and returns the answer with the one line the log got for it. */
async function logged(path: string, init?: RequestInit & { json?: unknown }) {
  const before = requestLines().length;
  const res = await h.request(path, init);
  const lines = requestLines().slice(before);
  expect(lines, path).toHaveLength(1);
  const line = lines[0] as Record<string, unknown>;
  return { res, line };
}

/** A token of the test secret with claims the harness's `token` cannot give (an issuer). */
const signed = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT({ scope: "data:read data:write profile", ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));

describe("the request log", () => {
  it("writes the lines of one turn together afterwards, in order, each at the instant it was answered", async () => {
    const raw: string[] = [];
    const { createLogger } = await import("../src/logger.js");
    const logger = await createLogger("json", { write: (t: string) => raw.push(t) } as never);
    h = await harness({ app: { logger } });
    const before = Date.now();
    await h.request("/healthz");
    const answered = Date.now();
    // Held until the event loop's next turn: nothing is written on the request's path.
    expect(raw).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [line] = raw.map((r) => JSON.parse(r) as { time: string; route: string });
    expect(line?.route).toBe("/healthz");
    const time = Date.parse(line?.time ?? "");
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(answered);
    const answers = await Promise.all(
      ["/healthz", "/readyz", "/api/v1/teams/authorized"].map((path) => h.request(path)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401]);
    await new Promise((resolve) => setImmediate(resolve));
    // In the order answered (the readiness check waits for the store): all three, each once.
    expect(
      raw
        .slice(1)
        .map((r) => (JSON.parse(r) as { route: string }).route)
        .sort(),
    ).toEqual(["/api/v1/teams/authorized", "/healthz", "/readyz"]);
  });

  it("writes one JSON line a request: time, level, request_id, method, route template, status, duration_ms, caller", async () => {
    log = await memoryLogger();
    h = await harness({ app: { logger: log.logger } });
    const cases: {
      path: string;
      init?: RequestInit & { json?: unknown };
      route: string;
      status: number;
      sub?: string;
      azp?: string;
    }[] = [
      {
        path: "/api/v1/teams/club/users",
        init: { headers: await bearer({ sub: "coach" }) },
        route: "/api/v1/teams/:team_id/users",
        status: 200,
        sub: "coach",
      },
      {
        path: "/api/v1/teams/authorized",
        init: { headers: await bearer({ sub: "ann", azp: "coach" }) },
        route: "/api/v1/teams/authorized",
        status: 200,
        sub: "ann",
        azp: "coach",
      },
      {
        path: "/api/v1/teams/club/authorize",
        init: {
          method: "POST",
          headers: await bearer({ sub: "ann", azp: "coach" }),
          json: { scopes: ["data:read"] },
        },
        route: "/api/v1/teams/:team_id/authorize",
        status: 200,
        sub: "ann",
        azp: "coach",
      },
      {
        path: "/api/v1/teams/club/members/assistant",
        init: { method: "DELETE", headers: await bearer({ sub: "coach" }) },
        route: "/api/v1/teams/:team_id/members/:user_id",
        status: 204,
        sub: "coach",
      },
      {
        path: "/trpc/teams.list",
        init: { headers: await bearer({ sub: "coach" }) },
        route: "/trpc/*",
        status: 200,
        sub: "coach",
      },
      { path: "/healthz", route: "/healthz", status: 200 },
      { path: "/no/such/thing", route: "unmatched", status: 404 },
      { path: "/api/v1/teams", route: "unmatched", status: 307 },
      { path: "/api/v1/teams/club", init: { method: "PUT" }, route: "unmatched", status: 405 },
    ];
    for (const c of cases) {
      const { res, line } = await logged(c.path, c.init);
      expect(res.status, c.path).toBe(c.status);
      expect(line.time, c.path).toMatch(ISO);
      expect(line.level).toBe("info");
      expect(line.request_id).toBe(res.headers.get("x-request-id"));
      expect(line.request_id).toMatch(UUID);
      expect(line.method).toBe(c.init?.method ?? "GET");
      expect(line.route, c.path).toBe(c.route);
      expect(line.status).toBe(c.status);
      expect(typeof line.duration_ms).toBe("number");
      expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
      expect(line.sub, c.path).toBe(c.sub);
      expect(line.azp, c.path).toBe(c.azp);
      expect(line.reason, c.path).toBeUndefined();
    }
    // One line a request, and nothing but JSON.
    expect(requestLines()).toHaveLength(cases.length);
    expect(log.raw.every((r) => r.endsWith("\n") && !r.slice(0, -1).includes("\n"))).toBe(true);
  });

  it("says why a 401 or a 403 was answered, the bodies unchanged", async () => {
    log = await memoryLogger();
    h = await harness({ app: { logger: log.logger } });
    const expired = await token({ sub: "coach", iat: 1_000_000, exp: 1_000_600 });
    const cases: [string, string, RequestInit & { json?: unknown }, number, string, string][] = [
      ["no token", "/api/v1/teams/", {}, 401, "token_missing", "Not authenticated"],
      [
        "an expired token",
        "/api/v1/teams/",
        { headers: { authorization: `Bearer ${expired}` } },
        401,
        "token_expired",
        "Could not validate credentials",
      ],
      [
        "another key's signature",
        "/api/v1/teams/",
        {
          headers: {
            authorization: `Bearer ${await signed({ sub: "coach" }, "another-secret-of-at-least-thirty-two-bytes")}`,
          },
        },
        401,
        "bad_signature",
        "Could not validate credentials",
      ],
      [
        "not a bearer credential",
        "/api/v1/teams/",
        { headers: { authorization: "Basic dXNlcjpwYXNz" } },
        401,
        "token_malformed",
        "Could not validate credentials",
      ],
      [
        "a delegated token whose azp is not the manager",
        "/api/v1/teams/club/authorize",
        {
          method: "POST",
          headers: await bearer({ sub: "ann", azp: "rival" }),
          json: { scopes: ["data:read"] },
        },
        401,
        "not_the_manager",
        "Could not validate credentials",
      ],
      [
        "a regular token authorizing",
        "/api/v1/teams/club/authorize",
        { method: "POST", headers: await bearer({ sub: "carl" }), json: { scopes: ["data:read"] } },
        403,
        "delegated_token_required",
        "This operation requires a delegated token",
      ],
      [
        "a member editing the team",
        "/api/v1/teams/club",
        { method: "PATCH", headers: await bearer({ sub: "assistant" }), json: { name: "Mine" } },
        403,
        "not_an_owner",
        "Only a team owner can do this",
      ],
      [
        "a regular user at the administration API",
        "/api/v1/admin/users/x",
        { method: "DELETE", headers: await bearer({ sub: "carl" }) },
        403,
        "admin_scope_required",
        "This operation requires the admin scope",
      ],
    ];
    for (const [what, path, init, status, reason, detail] of cases) {
      const { res, line } = await logged(path, init);
      expect(res.status, what).toBe(status);
      expect(await res.json(), what).toEqual({ detail });
      expect(line.reason, what).toBe(reason);
      expect(line.status, what).toBe(status);
    }
    // Over tRPC too.
    const { res, line } = await logged("/trpc/teams.list", {
      headers: { authorization: `Bearer ${expired}` },
    });
    expect(res.status).toBe(401);
    expect(line).toMatchObject({ route: "/trpc/*", status: 401, reason: "token_expired" });
  });

  it("says wrong_issuer and wrong_audience when the identity provider's are configured", async () => {
    log = await memoryLogger();
    h = await harness({
      auth: { issuer: "https://idp.example", audience: "teams" },
      app: { logger: log.logger },
    });
    for (const [claims, reason] of [
      [{ sub: "coach", iss: "https://evil.example", aud: "teams" }, "wrong_issuer"],
      [{ sub: "coach", iss: "https://idp.example", aud: "other" }, "wrong_audience"],
    ] as const) {
      const { res, line } = await logged("/api/v1/teams/", {
        headers: { authorization: `Bearer ${await signed(claims)}` },
      });
      expect(res.status).toBe(401);
      expect(line.reason).toBe(reason);
    }
    const ok = await signed({ sub: "coach", iss: "https://idp.example", aud: "teams" });
    const { line } = await logged("/api/v1/teams/", { headers: { authorization: `Bearer ${ok}` } });
    expect(line).toMatchObject({ status: 200, sub: "coach" });
  });
});

describe("the request id", () => {
  it("is the client's X-Request-Id when well-formed, else a new one, sent back and logged", async () => {
    log = await memoryLogger();
    h = await harness({ app: { logger: log.logger } });
    for (const id of [
      "abc",
      "0b7c1f2e-1d6b-4d7e-9a43-2c1e5f9b8a70",
      "host-1:42.7_x",
      "a".repeat(128),
    ]) {
      const { res, line } = await logged("/healthz", { headers: { "x-request-id": id } });
      expect(res.headers.get("x-request-id")).toBe(id);
      expect(line.request_id).toBe(id);
    }
    for (const id of [
      "with space",
      "a".repeat(129),
      "caf\u00e9",
      "a,b",
      '{"level":"error"}',
      "\t",
    ]) {
      const { res, line } = await logged("/healthz", { headers: { "x-request-id": id } });
      const sent = res.headers.get("x-request-id");
      expect(sent, id).toMatch(UUID);
      expect(line.request_id).toBe(sent);
    }
    // Every answer carries one, errors included.
    const refused = await h.request("/api/v1/teams/");
    expect(refused.headers.get("x-request-id")).toMatch(UUID);
  });

  it("is on the line of an unexpected error too", async () => {
    log = await memoryLogger();
    const store = await openSqliteStore({ filename: ":memory:" });
    const teams = createTeams(store);
    const app = createApp({
      teams: { ...teams, listTeams: () => Promise.reject(new Error("disk on fire")) },
      authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
      ping: store.ping,
      logger: log.logger,
    });
    try {
      const res = await app.request("/api/v1/teams/", {
        headers: { ...(await bearer({ sub: "coach" })), "x-request-id": "trace-me" },
      });
      expect(res.status).toBe(500);
      const bug = log.lines.find((l) => l.msg === "unexpected error");
      expect(bug).toMatchObject({ level: "error", request_id: "trace-me" });
      expect(bug?.err).toMatchObject({ message: "disk on fire" });
      expect(log.lines.find((l) => l.msg === "request")).toMatchObject({
        level: "error",
        request_id: "trace-me",
        status: 500,
        sub: "coach",
      });
    } finally {
      await store.close();
    }
  });
});

describe("what a client sends cannot forge a line", () => {
  it("keeps one line, of JSON, whatever the path (the path is never written: its route is)", async () => {
    log = await memoryLogger();
    h = await harness({ app: { logger: log.logger } });
    const attack = "/x%0D%0A%7B%22level%22%3A%22info%22%2C%22route%22%3A%22%2Fadmin%22%7D%0D%0A/y";
    const { line } = await logged(attack);
    expect(line.route).toBe("unmatched");
    expect(log.raw.at(-1)).not.toContain("/admin");
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), async (text) => {
        const { line: one } = await logged(`/api/v1/teams/${encodeURIComponent(text)}/users`);
        // Any team id, however strange, is logged as the route's pattern, not as itself.
        expect(one.route).toBe("/api/v1/teams/:team_id/users");
        expect(log.raw.at(-1)?.slice(0, -1)).not.toMatch(/[\n\r\u2028\u2029]/);
      }),
      { numRuns: 100 },
    );
  });
});

describe("no credential reaches the log", () => {
  it("across tokens, cookies, CSRF forms, delegated and refresh tokens and introspection", async () => {
    log = await memoryLogger();
    const dataDir = mkdtempSync(join(tmpdir(), "teams-log-"));
    const introspectionSecret = "resource-server-secret-of-32-bytes-or-more";
    h = await harness({
      auth: { serviceIssuer: "https://teams.example", dataDir },
      app: { logger: log.logger, introspectionSecret },
    });
    const used: string[] = [SECRET, introspectionSecret];
    const note = <T extends string>(credential: T): T => {
      used.push(credential);
      return credential;
    };
    try {
      const coach = note(await token({ sub: "coach" }));
      const carl = note(await token({ sub: "carl" }));
      const form = (path: string, fields: Record<string, string>, headers = {}) =>
        h.request(path, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          body: new URLSearchParams(fields).toString(),
        });

      // Bearer tokens, in the header, the refreshed-token header and (ignored) the query string.
      expect(
        (await h.request("/api/v1/teams/", { headers: { authorization: `Bearer ${coach}` } }))
          .status,
      ).toBe(200);
      expect(
        (await h.request("/api/v1/teams/", { headers: { "refreshed-token": coach } })).status,
      ).toBe(200);
      expect((await h.request(`/api/v1/teams/?access_token=${coach}&token=${carl}`)).status).toBe(
        401,
      );

      // The pages: the cookie, the CSRF token, a form post.
      const cookie = `token=${carl}`;
      const page = await h.request("/teams/club/authorize?scopes=data:read", {
        headers: { cookie },
      });
      expect(page.status).toBe(200);
      const csrf = note(hiddenField(await page.text(), "csrf_token") ?? "");
      expect(csrf).not.toBe("");
      const posted = await form(
        "/teams/club/authorize",
        { csrf_token: csrf, asked: "data:read", scope: "data:read", decision: "allow" },
        { cookie, origin: "http://localhost" },
      );
      expect(posted.status).toBe(303);
      expect((await h.request("/account/teams", { headers: { cookie } })).status).toBe(200);

      // Delegated tokens: issued, used, refreshed, introspected, revoked.
      const issued = await h.request("/api/v1/oauth/delegated-token", {
        method: "POST",
        headers: { authorization: `Bearer ${coach}` },
        json: { sub: "ann" },
      });
      expect(issued.status).toBe(200);
      const pair = (await issued.json()) as { access_token: string; refresh_token: string };
      note(pair.access_token);
      note(pair.refresh_token);
      const acting = { authorization: `Bearer ${pair.access_token}` };
      expect(
        (
          await h.request("/api/v1/teams/club/authorize", {
            method: "POST",
            headers: acting,
            json: { scopes: ["data:read"] },
          })
        ).status,
      ).toBe(200);
      const refreshed = await form("/api/v1/oauth/token", {
        grant_type: "refresh_token",
        refresh_token: pair.refresh_token,
        client_secret: note("a-client-secret-nobody-checks"),
      });
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
      note(next.access_token);
      note(next.refresh_token);
      // The rotated one again: refused, and still not written.
      expect(
        (
          await form("/api/v1/oauth/token", {
            grant_type: "refresh_token",
            refresh_token: pair.refresh_token,
          })
        ).status,
      ).toBe(400);
      const basic = note(Buffer.from(`data-service:${introspectionSecret}`).toString("base64"));
      const introspected = await form(
        "/api/v1/oauth/introspect",
        { token: next.access_token },
        { authorization: `Basic ${basic}` },
      );
      expect(introspected.status).toBe(200);
      expect(
        (
          await form(
            "/api/v1/oauth/introspect",
            { token: next.access_token },
            { authorization: "Basic d3Jvbmc6c2VjcmV0" },
          )
        ).status,
      ).toBe(401);
      expect((await form("/api/v1/oauth/revoke", { token: next.refresh_token })).status).toBe(200);
      const principal = await h.request("/api/v1/oauth/principal-token", { headers: acting });
      note(((await principal.json()) as { access_token?: string }).access_token ?? "none");
      // tRPC with a token, and a malformed one.
      expect(
        (await h.request("/trpc/teams.list", { headers: { authorization: `Bearer ${coach}` } }))
          .status,
      ).toBe(200);
      expect(
        (await h.request("/trpc/teams.list", { headers: { authorization: `Bearer ${coach}x` } }))
          .status,
      ).toBe(401);

      expect(log.raw.length).toBeGreaterThanOrEqual(15);
      for (const line of log.raw) {
        for (const credential of used) {
          expect(line, "a credential in the log").not.toContain(credential);
          // Nor any part of a JWT (its signature alone would be enough to match it).
          for (const part of credential.split(".").filter((p) => p.length >= 16)) {
            expect(line).not.toContain(part);
          }
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the server's log (TEAMS_LOG=json, the default)", () => {
  it("is JSON lines only on standard output: start, migrations, key, requests, stop; no credential, no raw byte", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "teams-log-process-"));
    const introspectionSecret = "resource-server-secret-of-32-bytes-or-more";
    const server = await startServerProcess({
      TEAMS_DATABASE: join(dataDir, "teams.db"),
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_EXTERNAL_AZP: "actor",
      TEAMS_INTROSPECTION_SECRET: introspectionSecret,
    });
    try {
      const coach = await token({ sub: "coach" });
      const ok = await fetch(`${server.url}/api/v1/teams/`, {
        headers: { authorization: `Bearer ${coach}`, "x-request-id": "from-the-proxy-1" },
      });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-id")).toBe("from-the-proxy-1");
      await fetch(`${server.url}/api/v1/teams/?token=${coach}`, {
        headers: { cookie: `token=${coach}` },
      });
      const basic = Buffer.from(`x:${introspectionSecret}`).toString("base64");
      await fetch(`${server.url}/api/v1/oauth/introspect`, {
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: `token=${coach}`,
      });
      // Raw bytes a fetch would refuse to send: controls and invalid UTF-8 in the target.
      const { hostname, port } = new URL(server.url);
      for (const target of ["/caf\xc3\xa9/\x1b[2J", "/\xff\x9b2J"]) {
        await new Promise<void>((resolve) => {
          const socket = connect(Number(port), hostname, () => {
            socket.end(
              Buffer.concat([
                Buffer.from(`GET `),
                Buffer.from(target, "latin1"),
                Buffer.from(` HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`),
              ]),
            );
          });
          socket.on("data", () => {});
          socket.on("close", () => resolve());
          socket.on("error", () => resolve());
        });
      }
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      const stdout = server.stdout();
      const lines = stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const messages = lines.map((l) => l.msg);
      expect(messages.filter((m) => m === "migration applied").length).toBeGreaterThanOrEqual(8);
      expect(lines.find((l) => l.msg === "migration applied")).toMatchObject({
        component: "store",
        version: 1,
      });
      expect(messages).toContain("signing key created");
      expect(lines.find((l) => l.msg === "listening")).toMatchObject({
        component: "server",
        url: server.url,
      });
      expect(messages.slice(-2)).toEqual([
        "stopping: finishing in-flight requests, then closing the store",
        "stopped",
      ]);
      const requests = lines.filter((l) => l.msg === "request");
      expect(requests[0]).toMatchObject({
        request_id: "from-the-proxy-1",
        route: "/api/v1/teams/",
        status: 200,
        sub: "coach",
      });
      // Node's HTTP parser answers the raw-byte targets 400 itself: the app never sees them.
      expect(requests.map((l) => l.route)).toEqual([
        "/api/v1/teams/",
        "/api/v1/teams/",
        "/api/v1/oauth/introspect",
      ]);
      for (const l of lines) expect(l.time).toMatch(ISO);
      for (const secret of [coach, SECRET, introspectionSecret, basic, ...coach.split(".")]) {
        expect(stdout).not.toContain(secret);
      }
      expect(server.output()).not.toContain("\x1b");
    } finally {
      server.child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
