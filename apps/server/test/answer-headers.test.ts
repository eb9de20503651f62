import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STYLESHEET_PATH } from "../src/pages/html.js";
import { type Harness, harness, token } from "./harness.js";

// Issue 12, item 7: an answer made for a credential must never be kept by a cache (a shared proxy,
// the browser's disk cache) where the next person at that computer or behind that proxy reads it.

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const credentialPlaces = async (): Promise<[string, Record<string, string>][]> => {
  const t = await token({ sub: "coach" });
  return [
    ["Authorization", { authorization: `Bearer ${t}` }],
    ["refreshed-token", { "refreshed-token": t }],
    ["cookie", { cookie: `token=${t}` }],
  ];
};

function expectNoStore(res: Response, what: string) {
  expect(res.headers.get("cache-control"), what).toBe("no-store");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
}

describe("API answers are never cached", () => {
  it("REST and tRPC answers made with each credential place", async () => {
    for (const [place, headers] of await credentialPlaces()) {
      for (const path of [
        "/api/v1/teams/",
        "/api/v1/teams/club/members",
        "/api/v1/oauth/authorized-teams",
        "/trpc/teams.list",
        "/trpc/teams.list,teams.authorized?batch=1&input=%7B%7D",
      ]) {
        const res = await h.request(path, { headers });
        expect(res.status, `${place} ${path}`).toBeLessThan(500);
        expectNoStore(res, `${place} ${path}`);
      }
    }
  });

  it("errors, redirects and answers without a credential too", async () => {
    const cases: [string, RequestInit][] = [
      ["/api/v1/teams/", {}],
      ["/api/v1/teams/", { headers: { authorization: "Bearer nonsense" } }],
      ["/api/v1/teams", {}],
      ["/api/v1/nowhere", {}],
      ["/api/v1/teams/", { method: "PATCH" }],
      ["/trpc/teams.list", {}],
      ["/trpc/nothing.here", {}],
      ["/healthz", {}],
      ["/openapi.json", {}],
    ];
    for (const [path, init] of cases) {
      const res = await h.request(path, init);
      expectNoStore(res, `${init.method ?? "GET"} ${path} ${res.status}`);
    }
  });

  it("a write's answer as well", async () => {
    const res = await h.request("/api/v1/teams/", {
      method: "POST",
      headers: { authorization: `Bearer ${await token({ sub: "carl" })}` },
      json: {
        name: "Carl's",
        description: "Runs",
        url: "https://carl.example/",
        image: "https://carl.example/logo.png",
        privacy_statement: "https://carl.example/privacy",
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expectNoStore(res, "POST /api/v1/teams/");
  });

  it("while the stylesheet, the same for everyone, keeps its own caching", async () => {
    const res = await h.request(STYLESHEET_PATH);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

// Served by Node, the answer headers go on Node's answer under the Response's own (no Headers
// object is built); in process they are added to the Response. Both must give the same answers.
describe("served over HTTP, the same headers as in process", () => {
  let server: ServerType;
  let base: string;
  beforeAll(async () => {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: h.app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const watched = ["cache-control", "x-content-type-options", "x-request-id", "content-type"];
  const picked = (res: Response) => watched.map((name) => [name, res.headers.get(name)]);

  it("for lists, errors, the stylesheet and a given request id", async () => {
    const authorization = `Bearer ${await token({ sub: "coach" })}`;
    const cases: [string, Record<string, string>][] = [
      ["/api/v1/teams/authorized", { authorization }],
      ["/api/v1/teams/club/users?limit=1", { authorization }],
      ["/api/v1/teams/", { authorization }],
      ["/api/v1/teams/", {}],
      ["/api/v1/nowhere", {}],
      ["/trpc/teams.list", { authorization }],
      [STYLESHEET_PATH, {}],
    ];
    for (const [path, headers] of cases) {
      const given = { ...headers, "x-request-id": `same-id-${path.length}` };
      const inProcess = await h.request(path, { headers: given });
      const overHttp = await fetch(`${base}${path}`, { headers: given });
      expect(picked(overHttp), path).toEqual(picked(inProcess));
      expect(overHttp.status, path).toBe(inProcess.status);
      expect(overHttp.headers.get("x-request-id"), path).toBe(given["x-request-id"]);
    }
    const fresh = await fetch(`${base}/api/v1/teams/`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get("cache-control")).toBe("no-store");
  });
});
