import { connect } from "node:net";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { logSafe } from "../src/http/request-log.js";
import { SECRET } from "./harness.js";
import { startServerProcess } from "./process.js";

// Issue 12, item 4: the request log must not be writable by clients. A line is
// `METHOD PATH STATUS TIMEms` and nothing a request carries may add a line, a field or a control.

const LINE = /^[A-Z]+ \/[\x21-\x7E]* \d{3} \d+\.\dms$/;

let lines: string[];
let app: ReturnType<typeof createApp>;
let close: () => Promise<void>;
beforeAll(async () => {
  const store = await openSqliteStore({ filename: ":memory:" });
  lines = [];
  app = createApp({
    teams: createTeams(store),
    authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
    ping: store.ping,
    log: { info: (line) => lines.push(line), error: () => {} },
  });
  close = () => store.close();
});
afterAll(() => close());

async function logged(path: string, init?: RequestInit): Promise<string> {
  lines.length = 0;
  await app.request(path, init);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe("the request log", () => {
  it("cannot be given a forged line (the attack as written)", async () => {
    const line = await logged("/x%0D%0APUT%20/api/v1/admin/users/root%20200%200.3ms%0D%0A/y");
    expect(line).toMatch(LINE);
    expect(line).not.toMatch(/[\r\n]/);
    expect(
      line.startsWith("GET /x%0D%0APUT%20/api/v1/admin/users/root%20200%200.3ms%0D%0A/y 404 "),
    ).toBe(true);
  });

  it("passes no terminal escape, other control or raw space, however it is written", async () => {
    for (const path of [
      "/%1B[2J",
      "/%1b%5b2J",
      "/a%00b",
      "/%7F",
      "/%C2%9B2J",
      "/tab%09here",
      "/%E2%80%A8line-separator",
      "/caf%C3%A9",
      "/%FF%FE",
      "/%25%30%41",
    ]) {
      const line = await logged(path);
      expect(line, path).toMatch(LINE);
      expect(line, path).not.toMatch(/[\p{Cc}\u2028\u2029\u0085]/u);
    }
  });

  it("escapes characters a URL leaves raw", () => {
    expect(logSafe("GET")).toBe("GET");
    expect(logSafe("/a b\r\n\x1b[2J")).toBe("/a%20b%0D%0A%1B[2J");
    expect(logSafe("/é\u2028")).toBe("/%C3%A9%E2%80%A8");
  });

  it("stays one well-formed line for any path a client may send", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 40 }), async (text) => {
        const line = await logged(`/${encodeURIComponent(text)}`);
        expect(line).toMatch(LINE);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(logSafe(text)).toMatch(/^[\x21-\x7E]*$/);
      }),
    );
  });

  it("holds on the real server, for raw bytes on the wire too", async () => {
    const server = await startServerProcess({
      TEAMS_DATABASE: ":memory:",
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_EXTERNAL_AZP: "actor",
    });
    try {
      const { hostname, port } = new URL(server.url);
      const raw = async (target: Buffer) =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(port), hostname, () => {
            socket.end(
              Buffer.concat([
                Buffer.from("GET "),
                target,
                Buffer.from(` HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`),
              ]),
            );
          });
          socket.on("data", () => {});
          socket.on("close", () => resolve());
          socket.on("error", () => resolve());
        });
      await fetch(`${server.url}/x%0D%0APUT%20/api/v1/admin/users/root%20200%200.3ms%0D%0A/y`);
      await fetch(`${server.url}/%1B[2J`);
      await raw(Buffer.from("/caf\xc3\xa9/\x1b[2J", "latin1"));
      await raw(Buffer.from("/\xff\x9b2J", "latin1"));
      await fetch(`${server.url}/healthz`);
      const out = server.output();
      const requestLines = out.split("\n").filter((l) => /^[A-Z]+ \//.test(l));
      expect(requestLines.length).toBeGreaterThanOrEqual(3);
      for (const l of requestLines) expect(l).toMatch(LINE);
      expect(out).not.toContain("\x1b");
      expect(out).not.toMatch(/^PUT \/api\/v1\/admin/m);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});
