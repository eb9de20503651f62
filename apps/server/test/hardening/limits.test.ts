import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BATCH_SIZE } from "../../src/trpc/trpc-routes.js";
import { auth } from "./support/http.js";
import { addressed, collect, httpBytes, open, rawRequest } from "./support/raw-http.js";
import { castTokens, type OpenTarget, processTarget } from "./support/targets.js";

// Item 5 of the hardening issue: limits against resource exhaustion, on the real server process.
// Bodies past the limit are refused before they are read (and the process does not grow), headers
// past Node's 16 KiB are refused, tRPC batches are bounded, and clients that connect and then send
// nothing (or stop halfway) are cut off by the 30 s socket timeout while others are served.

const tokens = await castTokens();
let target: OpenTarget & { server: { url: string; child: { pid?: number } } };
const notes: string[] = [];
beforeAll(async () => {
  target = await processTarget(tokens, { TEAMS_LOG: "off" });
}, 60_000);
afterAll(async () => {
  await target?.close();
  console.log(`limits: ${notes.join("; ")}`);
});

/** Resident memory of the server process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024;
}

const healthy = async () => (await fetch(`${target.server.url}/healthz`)).status;

describe("request bodies", () => {
  it.each([
    ["REST", "/api/v1/teams/club/authorize", tokens.annByCoach],
    ["tRPC", "/trpc/teams.authorize", tokens.annByCoach],
  ])(
    "%s: a declared Content-Length past the limit is refused before a byte of body is sent",
    async (_, path, token) => {
      const socket = await open(target.server.url);
      const answered = collect(socket, 5000);
      socket.write(
        addressed(
          target.server.url,
          httpBytes("POST", path, {
            Authorization: `Bearer ${token}`,
            "Content-Type": "application/json",
            "Content-Length": String(100 * 1024 * 1024),
          }),
        ),
      );
      const { answer, ms } = await answered;
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ detail: "Request body is too large" });
      expect(ms).toBeLessThan(2000);
    },
  );

  it("a 64 MiB chunked upload is cut at the limit, and the process does not grow with it", async () => {
    const pid = target.server.child.pid as number;
    const before = rssMiB(pid);
    const socket: Socket = await open(target.server.url);
    const answered = collect(socket, 20_000);
    socket.write(
      addressed(
        target.server.url,
        httpBytes("POST", "/api/v1/teams/", {
          Authorization: `Bearer ${tokens.coach}`,
          "Content-Type": "application/json",
          "Transfer-Encoding": "chunked",
        }),
      ),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let peak = before;
    for (let i = 0; i < 1024 && !socket.destroyed; i++) {
      const ok = socket.write(
        Buffer.concat([
          Buffer.from(`${chunk.length.toString(16)}\r\n`),
          chunk,
          Buffer.from("\r\n"),
        ]),
      );
      sent += chunk.length;
      if (!ok) await new Promise((r) => setTimeout(r, 1));
      if (i % 64 === 0) peak = Math.max(peak, rssMiB(pid));
    }
    const { answer } = await answered;
    // 413, or a reset: the server closes while the client is still sending, and the kernel may
    // then drop the answer it had not read yet (there is no lingering close). Either way the
    // server stopped reading at the limit.
    expect([413, null]).toContain(answer.status);
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    peak = Math.max(peak, rssMiB(pid));
    notes.push(
      `64 MiB chunked upload: ${answer.status ?? "reset"}, server RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB (${(sent / 1048576).toFixed(0)} MiB sent before the server closed the connection)`,
    );
    expect(peak - before).toBeLessThan(40);
    expect(await healthy()).toBe(200);
  });
});

describe("headers and URLs", () => {
  it("headers past 16 KiB in total: 431, and the process serves on", async () => {
    const big = await rawRequest(
      target.server.url,
      httpBytes("GET", "/api/v1/teams/", { "X-Padding": "a".repeat(20_000) }),
    );
    expect(big.status).toBe(431);
    // Just under the limit: an ordinary request (here a 15 KB bogus token: 401).
    const near = await rawRequest(
      target.server.url,
      httpBytes("GET", "/api/v1/teams/", { Authorization: `Bearer ${"b".repeat(15_000)}` }),
    );
    expect(near.status).toBe(401);
    expect(await healthy()).toBe(200);
    notes.push("headers: 20 KB answered 431, 15 KB served");
  });

  it("a 20 KB URL: 431 (the request line counts toward the header limit)", async () => {
    const answer = await rawRequest(
      target.server.url,
      httpBytes("GET", `/api/v1/teams/${"x".repeat(20_000)}/users`),
    );
    expect(answer.status).toBe(431);
  });

  it("thousands of headers: those past Node's 2000 are dropped, the request is served", async () => {
    const headers: Record<string, string> = { Authorization: `Bearer ${tokens.coach}` };
    for (let i = 0; i < 2500; i++) headers[`x${i}`] = "1";
    const answer = await rawRequest(target.server.url, httpBytes("GET", "/api/v1/teams/", headers));
    expect(answer.status).toBe(200);
  });
});

describe("tRPC batches", () => {
  it(`${MAX_BATCH_SIZE} calls run; ${MAX_BATCH_SIZE + 1} are refused whole, before any runs`, async () => {
    const batch = async (n: number) => {
      const input = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [String(i), { first_name: `Batch ${n}-${i}` }]),
      );
      const res = await fetch(
        `${target.server.url}/trpc/${Array(n).fill("manage.createManagedUser").join(",")}?batch=1`,
        {
          method: "POST",
          headers: { ...auth(tokens.coach), "content-type": "application/json" },
          body: JSON.stringify(input),
        },
      );
      return { status: res.status, body: (await res.json()) as unknown };
    };
    const users = async () =>
      (
        (await (
          await fetch(`${target.server.url}/api/v1/users/`, { headers: auth(tokens.coach) })
        ).json()) as { first_name: string }[]
      ).length;
    const before = await users();
    expect((await batch(MAX_BATCH_SIZE)).status).toBe(200);
    expect(await users()).toBe(before + MAX_BATCH_SIZE);
    const refused = await batch(MAX_BATCH_SIZE + 1);
    expect(refused.status).toBe(400);
    expect(await users()).toBe(before + MAX_BATCH_SIZE);
    notes.push(`tRPC batch: ${MAX_BATCH_SIZE} calls ran, ${MAX_BATCH_SIZE + 1} refused whole`);
  });
});

describe("slow clients", () => {
  // The server's socket timeout is 30 s (server.setTimeout): these wait for it, side by side.
  it("silent, half-sent headers, half-sent body, 100 idle sockets: all cut off; others served meanwhile", async () => {
    const url = target.server.url;
    const cases: [string, Buffer | null][] = [
      ["connects and sends nothing", null],
      [
        "sends half the headers, then nothing",
        Buffer.from(`GET /api/v1/teams/ HTTP/1.1\r\nHost: ${new URL(url).host}\r\nAuthoriz`),
      ],
      [
        "sends the headers and half the body, then nothing",
        Buffer.from(
          `POST /api/v1/teams/ HTTP/1.1\r\nHost: ${new URL(url).host}\r\nAuthorization: Bearer ${tokens.coach}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"name":"Slo`,
        ),
      ],
    ];
    const started = Date.now();
    const slow = cases.map(async ([name, bytes]) => {
      const socket = await open(url);
      const collected = collect(socket, 45_000);
      if (bytes) socket.write(bytes);
      const { closedBy, ms } = await collected;
      return { name, closedBy, ms };
    });
    const idle = await Promise.all(Array.from({ length: 100 }, () => open(url)));
    const idleClosed = idle.map((s) => collect(s, 45_000));
    // Meanwhile the server serves everyone else.
    for (let i = 0; i < 5; i++) {
      expect(await healthy()).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    }
    const results = await Promise.all(slow);
    for (const r of results) {
      expect(r.closedBy, r.name).toBe("server");
      expect(r.ms, r.name).toBeGreaterThan(25_000);
      expect(r.ms, r.name).toBeLessThan(40_000);
    }
    const idleResults = await Promise.all(idleClosed);
    expect(idleResults.every((r) => r.closedBy === "server")).toBe(true);
    expect(await healthy()).toBe(200);
    notes.push(
      `slow clients: ${results.map((r) => `${r.name} cut after ${(r.ms / 1000).toFixed(1)} s`).join(", ")}; 100 idle sockets cut; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 60_000);

  // A client dripping one byte a second keeps resetting the idle timer; only the whole-request
  // timeout (TEAMS_REQUEST_TIMEOUT_MS, 3 s here) cuts it, for headers and for bodies alike.
  it("clients dripping their headers or body byte by byte are cut off at the request timeout", async () => {
    const dripping = await processTarget(tokens, { TEAMS_REQUEST_TIMEOUT_MS: "3000" });
    try {
      const drip = async (bytes: string) => {
        const socket = await open(dripping.server.url);
        const collected = collect(socket, 20_000);
        let i = 0;
        const timer = setInterval(() => {
          if (i < bytes.length && !socket.destroyed) socket.write(bytes[i++] ?? "");
        }, 500);
        const result = await collected;
        clearInterval(timer);
        return result;
      };
      const headers = `GET /api/v1/teams/ HTTP/1.1\r\nHost: ${new URL(dripping.server.url).host}\r\nX-Slow: ${"a".repeat(100)}`;
      const body = `POST /api/v1/teams/ HTTP/1.1\r\nHost: ${new URL(dripping.server.url).host}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n${"{".repeat(100)}`;
      const results = await Promise.all([drip(headers), drip(body)]);
      for (const r of results) {
        expect(r.closedBy).toBe("server");
        expect(r.ms).toBeLessThan(10_000);
      }
      expect((await fetch(`${dripping.server.url}/healthz`)).status).toBe(200);
      notes.push(
        `dripping clients cut after ${results.map((r) => (r.ms / 1000).toFixed(1)).join(" s and ")} s (timeout 3 s)`,
      );
    } finally {
      await dripping.close();
    }
  }, 30_000);
});
