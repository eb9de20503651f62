import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startServerProcess } from "./process.js";

// `teams start` refusing a configuration it cannot run safely or at all: each refusal is one line
// on stderr that names the variable to change, exit code 2 (the configuration is wrong), and
// nothing listens.

let dir: string;
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "teams-start-"));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => {
  busy.close();
  rmSync(dir, { recursive: true, force: true });
});

const SECRET = "a-jwt-secret-of-at-least-thirty-two-bytes";

describe("teams start refuses, in one line naming the variable, with exit code 2", () => {
  it.each([
    [
      "a public HOST with no token verification",
      { HOST: "0.0.0.0" },
      "HOST 0.0.0.0 is not a loopback address and no token verification is configured",
    ],
    [
      "a misspelt variable",
      { TEAMS_DATABSE: "x.db" },
      "unknown variable TEAMS_DATABSE: did you mean TEAMS_DATABASE?",
    ],
    [
      "a value not among an enum's",
      { TEAMS_LOG: "loud" },
      'TEAMS_LOG must be "json", "pretty" or "off"',
    ],
    [
      "a database folder that does not exist",
      { TEAMS_DATABASE: "/no/such/folder/teams.db" },
      "TEAMS_DATABASE: the folder /no/such/folder does not exist",
    ],
    [
      "a port in use",
      { PORT: "busy", TEAMS_JWT_SECRET: SECRET },
      "PORT <busy> is already in use on 127.0.0.1: stop what listens there or set PORT to a free port",
    ],
    [
      "a host that does not resolve",
      { HOST: "no-such-host.invalid", TEAMS_JWT_SECRET: SECRET },
      "HOST no-such-host.invalid does not resolve to an address",
    ],
  ])("%s", async (_, given, line) => {
    const env: Record<string, string> = { TEAMS_DATABASE: join(dir, "teams.db"), ...given };
    if (env.PORT === "busy") env.PORT = String(busyPort);
    const { code, stdout, stderr } = await runCli(["start"], env);
    expect(code).toBe(2);
    // Standard output is the JSON log only (a busy port is found after the migrations ran).
    for (const l of stdout.split("\n").filter(Boolean)) expect(JSON.parse(l)).toHaveProperty("msg");
    const expected = `teams: Invalid configuration: ${line.replace("<busy>", String(busyPort))}`;
    expect(stderr.startsWith(expected), stderr).toBe(true);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("development mode on purpose", () => {
  it("runs on a public HOST with TEAMS_DEV=1, and the banner warns", async () => {
    const server = await startServerProcess({
      HOST: "0.0.0.0",
      PORT: "0",
      TEAMS_DEV: "1",
      TEAMS_DATABASE: join(dir, "dev.db"),
      TEAMS_LOG: "off",
    });
    try {
      expect(server.output()).toContain("Warning: development mode");
      const port = new URL(server.url).port;
      const jwks = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
      expect(jwks.status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});
