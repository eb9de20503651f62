// OpenTelemetry's SDK registers itself globally: this file starts one traced server, and vitest
// runs each test file in a process of its own.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import { bearer, SECRET } from "./harness.js";

/** A span as OTLP/JSON carries it (the fields the tests read). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

const SERVER_KIND = 2;
const CLIENT_KIND = 3;

/** An OTLP/HTTP collector in the test: it keeps every span POSTed to /v1/traces. */
function receiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      expect(req.headers["content-type"]).toBe("application/json");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        spans,
        server,
      }),
    ),
  );
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

let collector: Awaited<ReturnType<typeof receiver>>;
let server: RunningServer;
let dir: string;
beforeAll(async () => {
  collector = await receiver();
  dir = mkdtempSync(join(tmpdir(), "teams-traces-"));
  server = await startServer(
    loadConfig({
      PORT: "0",
      TEAMS_DATABASE: join(dir, "teams.db"),
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_LOG: "off",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: "teams-under-test",
    }),
  );
});
afterAll(async () => {
  await server.close();
  collector.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("traces", () => {
  it("send a server span per request, named by its route, with store spans under it", async () => {
    const admin = await bearer({ sub: "root", scope: "admin" });
    const put = await fetch(`${server.url}/api/v1/admin/users/coach`, {
      method: "PUT",
      headers: { ...admin, "content-type": "application/json", "x-request-id": "req-put-1" },
      body: "{}",
    });
    expect(put.status).toBe(200);
    const coach = await bearer({ sub: "coach" });
    for (const id of ["club", "crew"]) {
      const res = await fetch(`${server.url}/api/v1/teams/${id}/users`, {
        headers: { ...coach, "x-request-id": `req-read-${id}` },
      });
      expect(res.status).toBe(404);
    }
    expect((await fetch(`${server.url}/no/such/path`)).status).toBe(404);
    // Stopping the server exports what the SDK still buffers.
    await server.close();

    const servers = collector.spans.filter((s) => s.kind === SERVER_KIND);
    expect(servers.map((s) => s.name)).toEqual([
      "PUT /api/v1/admin/users/:user_id",
      "GET /api/v1/teams/:team_id/users",
      "GET /api/v1/teams/:team_id/users",
      "GET",
    ]);
    const [putSpan, readClub, readCrew, unmatched] = servers as [
      OtlpSpan,
      OtlpSpan,
      OtlpSpan,
      OtlpSpan,
    ];
    expect(attribute(putSpan, "http.request.id")).toBe("req-put-1");
    expect(attribute(readClub, "http.request.id")).toBe("req-read-club");
    expect(attribute(readClub, "http.route")).toBe("/api/v1/teams/:team_id/users");
    expect(attribute(readClub, "url.path")).toBe("/api/v1/teams/club/users");
    expect(attribute(readClub, "http.response.status_code")).toBe(404);
    expect(attribute(readCrew, "url.path")).toBe("/api/v1/teams/crew/users");
    expect(attribute(unmatched, "http.route")).toBeUndefined();
    // A request id is generated for a request that sent none.
    expect(attribute(unmatched, "http.request.id")).toMatch(/^[0-9a-f-]{36}$/);
    // Each request its own trace.
    expect(new Set(servers.map((s) => s.traceId)).size).toBe(4);

    // Store calls are children of the request that made them; the write's in its transaction.
    const childrenOf = (parent: OtlpSpan) =>
      collector.spans.filter(
        (s) =>
          s.kind === CLIENT_KIND &&
          s.parentSpanId === parent.spanId &&
          s.traceId === parent.traceId,
      );
    const putStore = childrenOf(putSpan);
    expect(putStore.map((s) => s.name)).toEqual(expect.arrayContaining(["SELECT", "INSERT"]));
    for (const span of putStore) {
      expect(attribute(span, "db.system.name")).toBe("sqlite");
      expect(attribute(span, "db.query.text")).not.toContain("coach");
    }
    expect(childrenOf(readClub).map((s) => s.name)).toContain("SELECT");
    expect(childrenOf(unmatched)).toEqual([]);
    // Every store span hangs under a request.
    const serverIds = new Set(servers.map((s) => s.spanId));
    for (const span of collector.spans.filter((s) => s.kind === CLIENT_KIND)) {
      expect(serverIds.has(span.parentSpanId ?? "")).toBe(true);
    }
  });
});
