import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import { bearer, SECRET, type TokenClaims, token } from "./harness.js";
import { freshDatabase, noPostgres } from "./support/postgres.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real server with its metrics listener, over SQLite or a fresh PostgreSQL database. */
async function serve(
  store: "sqlite" | "postgres",
): Promise<RunningServer & { metricsUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), "teams-metrics-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let database = join(dir, "teams.db");
  if (store === "postgres") {
    const fresh = await freshDatabase();
    cleanups.push(() => fresh.drop());
    database = fresh.url;
  }
  const config = loadConfig({
    PORT: "0",
    TEAMS_DATABASE: database,
    TEAMS_DATA_DIR: dir,
    TEAMS_JWT_SECRET: SECRET,
    TEAMS_METRICS_PORT: "0",
    TEAMS_LOG: "off",
  });
  const server = await startServer(config);
  cleanups.push(() => server.close());
  if (!server.metricsUrl) throw new Error("no metrics listener");
  return { ...server, metricsUrl: server.metricsUrl };
}

/** The samples of a scrape: `name{labels}` (labels as Prometheus writes them) to value. */
async function scrape(metricsUrl: string): Promise<Map<string, number>> {
  const res = await fetch(`${metricsUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const delegated = (claims: TokenClaims & { act: { sub: string } }) => bearer(claims as TokenClaims);

describe.each([
  ["SQLite", "sqlite", false],
  ["PostgreSQL", "postgres", noPostgres],
] as const)("metrics on %s", (_name, store, skip) => {
  it.skipIf(skip)(
    "count exactly the requests, token checks and consent changes of known traffic",
    async () => {
      const server = await serve(store);
      const call = async (path: string, init: RequestInit = {}) => {
        const res = await fetch(`${server.url}${path}`, init);
        await res.arrayBuffer();
        return res.status;
      };
      const json = (method: string, headers: Record<string, string>, body?: unknown) => ({
        method,
        headers: { ...headers, "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const admin = await bearer({ sub: "root", scope: "admin" });
      const team = {
        name: "Rowing club",
        description: "",
        url: "https://rowing.example/",
        image: "https://rowing.example/logo.png",
        privacy_statement: "https://rowing.example/privacy",
      };
      expect(await call("/api/v1/admin/users/coach", json("PUT", admin, {}))).toBe(200);
      expect(
        await call("/api/v1/admin/users/kim", json("PUT", admin, { manager_id: "coach" })),
      ).toBe(200);
      expect(await call("/api/v1/admin/teams/club", json("PUT", admin, team))).toBe(200);
      expect(
        await call("/api/v1/admin/teams/club/members/coach", json("PUT", admin, { role: "owner" })),
      ).toBe(200);

      // Five reads of one route, with different team ids: one series, labelled by the template.
      const coach = await bearer({ sub: "coach" });
      for (let i = 0; i < 5; i++) {
        expect(await call("/api/v1/teams/club/users", { headers: coach })).toBe(200);
      }
      expect(await call("/api/v1/teams/unknown-team/users", { headers: coach })).toBe(404);
      // Paths no route answers: one label value, whatever the path.
      expect(await call("/no/such/path/1")).toBe(404);
      expect(await call("/no/such/path/2")).toBe(404);
      // Refused tokens: one expired, one with a signature of another key.
      const expired = await token({ sub: "coach", exp: Math.floor(Date.now() / 1000) - 3600 });
      expect(
        await call("/api/v1/teams/", { headers: { authorization: `Bearer ${expired}` } }),
      ).toBe(401);
      const forged = `${(await token({ sub: "coach" })).slice(0, -4)}AAAA`;
      expect(await call("/api/v1/teams/", { headers: { authorization: `Bearer ${forged}` } })).toBe(
        401,
      );
      // A grant and a revocation by the manager's delegated token; a grant ended by deleting the team.
      const asKim = await delegated({ sub: "kim", act: { sub: "coach" } });
      const grant = json("POST", asKim, { scopes: ["data:read"] });
      expect(await call("/api/v1/teams/club/authorize", grant)).toBe(200);
      expect(await call("/api/v1/teams/club/authorize", json("DELETE", asKim))).toBe(200);
      expect(await call("/api/v1/teams/club/authorize", grant)).toBe(200);
      expect(await call("/api/v1/admin/teams/club", json("DELETE", admin))).toBe(204);

      const samples = await scrape(server.metricsUrl);
      const duration = (method: string, route: string, status: number) =>
        samples.get(
          `http_server_request_duration_seconds_count{method="${method}",route="${route}",status_code="${status}"}`,
        );
      expect(duration("GET", "/api/v1/teams/:team_id/users", 200)).toBe(5);
      expect(duration("GET", "/api/v1/teams/:team_id/users", 404)).toBe(1);
      expect(duration("GET", "unmatched", 404)).toBe(2);
      expect(duration("GET", "/api/v1/teams/", 401)).toBe(2);
      expect(duration("POST", "/api/v1/teams/:team_id/authorize", 200)).toBe(2);
      expect(duration("DELETE", "/api/v1/teams/:team_id/authorize", 200)).toBe(1);
      expect(duration("DELETE", "/api/v1/admin/teams/:team_id", 204)).toBe(1);
      expect(duration("PUT", "/api/v1/admin/users/:user_id", 200)).toBe(2);
      expect(
        samples.get(
          `http_server_request_duration_seconds_bucket{le="10",method="GET",route="/api/v1/teams/:team_id/users",status_code="200"}`,
        ),
      ).toBe(5);
      // No label holds a path as it was sent.
      expect(
        [...samples.keys()].filter((k) => k.includes("/no/such") || k.includes("unknown-team")),
      ).toEqual([]);

      // 4 admin puts, 6 reads, 3 delegated calls, 1 admin delete: 14 tokens accepted.
      expect(samples.get('teams_token_verifications_total{result="ok"}')).toBe(14);
      expect(samples.get('teams_token_verifications_total{result="token_expired"}')).toBe(1);
      expect(samples.get('teams_token_verifications_total{result="bad_signature"}')).toBe(1);
      expect(samples.get('teams_token_verifications_total{result="wrong_issuer"}')).toBe(0);

      const consent = (type: string, cause: string) =>
        samples.get(`teams_consent_changes_total{type="authorization.${type}",cause="${cause}"}`);
      expect(consent("granted", "manager")).toBe(2);
      expect(consent("revoked", "manager")).toBe(1);
      expect(consent("revoked", "team_deleted")).toBe(1);
      expect(consent("updated", "manager")).toBeUndefined();

      expect(samples.get("teams_store_retries_total")).toBe(0);
      expect(samples.get('teams_store_errors_total{reason="failed"}')).toBe(0);
      expect(samples.get('teams_store_errors_total{reason="unavailable"}')).toBe(0);
      expect(samples.get('teams_store_write_failures_total{reason="contention"}')).toBe(0);
      expect(samples.get("teams_webhook_deliveries_total")).toBeUndefined();
      expect(samples.get("teams_webhook_outbox_age_seconds")).toBe(0);
      // Node's default metrics.
      expect(samples.get("process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect(samples.has("nodejs_heap_size_used_bytes")).toBe(true);
      if (store === "postgres") {
        expect(samples.get("db_client_connection_max")).toBe(10);
        expect(samples.get('db_client_connection_count{state="idle"}')).toBeGreaterThan(0);
        // Present; its value races the scrape's own outbox-age read on the pool.
        expect(samples.has("db_client_connection_pending_requests")).toBe(true);
      } else {
        expect(samples.has("db_client_connection_max")).toBe(false);
      }
    },
  );
});

describe("the metrics listener", () => {
  it("serves GET /metrics only, and the API's port serves no metrics", async () => {
    const server = await serve("sqlite");
    expect(new URL(server.metricsUrl).hostname).toBe("127.0.0.1");
    expect(new URL(server.metricsUrl).port).not.toBe(new URL(server.url).port);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.metricsUrl}/api/v1/teams/`)).status).toBe(404);
    expect((await fetch(`${server.metricsUrl}/metrics`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${server.metricsUrl}/metrics?x=1`)).status).toBe(200);
  });

  it("is off by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teams-metrics-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig({
      PORT: "0",
      TEAMS_DATABASE: join(dir, "teams.db"),
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_LOG: "off",
    });
    expect(config.metrics).toBeUndefined();
    const server = await startServer(config);
    cleanups.push(() => server.close());
    expect(server.metricsUrl).toBeUndefined();
  });
});
