import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, startServerProcess } from "./process.js";

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "teams-server-"));
  mkdirSync(join(dir, "data"));
  env = { PORT: "0", TEAMS_DATABASE: join(dir, "data", "teams.db") };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the start command", () => {
  it("serves in development mode with tokens from the CLI, logs without credentials, and stops on SIGTERM", async () => {
    const server = await startServerProcess(env);
    try {
      expect(server.output()).toContain(`${server.url}/docs`);
      expect(server.output()).toContain("teams token --sub");
      const minted = await runCli(["token", "--sub", "coach", "--given-name", "Cora"], env);
      expect(minted.code).toBe(0);
      const token = minted.stdout.trim();
      expect(token.split(".")).toHaveLength(3);

      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256" });
      expect(jwks.keys[0]?.d).toBeUndefined();

      const teams = await fetch(`${server.url}/api/v1/teams/`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(teams.status).toBe(200);
      expect(await teams.json()).toEqual([]);
      const viaCookie = await fetch(`${server.url}/api/v1/teams/authorized`, {
        headers: { cookie: `token=${token}` },
      });
      expect(viaCookie.status).toBe(200);

      // A request still sending its body when SIGTERM arrives is answered before the process exits.
      const inFlight = new Promise<number>((resolve, reject) => {
        const req = request(
          `${server.url}/api/v1/teams/club/authorize`,
          {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.write('{"scopes": ');
        setTimeout(() => {
          server.child.kill("SIGTERM");
          setTimeout(() => req.end('["data:read"]}'), 300);
        }, 100);
      });
      expect(await inFlight).toBe(403);
      expect(await server.exited).toBe(0);

      const log = server.output();
      const lines = server
        .stdout()
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toContainEqual(
        expect.objectContaining({ method: "GET", route: "/api/v1/teams/", status: 200 }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          method: "POST",
          route: "/api/v1/teams/:team_id/authorize",
          status: 403,
        }),
      );
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split(".")[2]);
    } finally {
      server.child.kill("SIGKILL");
    }
  });

  it("refuses an invalid configuration with a clear message and exit code 2", async () => {
    const server = startServerProcess({ ...env, PORT: "eighty", TEAMS_JWT_SECRET: "short" });
    await expect(server).rejects.toThrow(
      /PORT must be an integer[\s\S]*TEAMS_JWT_SECRET must be at least 32 bytes/,
    );
  });

  it("keeps its development key across restarts, so tokens stay valid", async () => {
    const token = (await runCli(["token", "--sub", "carl"], env)).stdout.trim();
    for (let round = 0; round < 2; round++) {
      const server = await startServerProcess(env);
      try {
        const res = await fetch(`${server.url}/api/v1/teams/`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
      } finally {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }
  });
});

describe("the teams CLI", () => {
  it("loads the demo world and prints tokens that work against the API", async () => {
    const demo = await runCli(["demo"], env);
    expect(demo.code, demo.stderr).toBe(0);
    const tokens = Object.fromEntries(
      [...demo.stdout.matchAll(/^export (TOKEN_\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    expect(Object.keys(tokens)).toHaveLength(6);
    expect((await runCli(["demo"], env)).code).toBe(0); // loading it again changes nothing
    const server = await startServerProcess(env);
    try {
      const call = (path: string, name: string, init: RequestInit = {}) =>
        fetch(`${server.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${tokens[name]}`, "content-type": "application/json" },
        });
      const users = (await (await call("/api/v1/teams/club/users", "TOKEN_COACH")).json()) as {
        id: string;
        scopes: string[];
      }[];
      expect(users.map((u) => [u.id, u.scopes])).toEqual([
        ["ann", ["data:read", "profile"]],
        ["ben", ["data:read"]],
        ["carl", ["data:read", "data:write", "profile"]],
      ]);
      const authorize = await call("/api/v1/teams/club/authorize", "TOKEN_BEN_BY_COACH", {
        method: "POST",
        body: JSON.stringify({ scopes: ["profile"] }),
      });
      expect(authorize.status).toBe(200);
      const refused = await call("/api/v1/teams/club/authorize", "TOKEN_ANN", {
        method: "POST",
        body: JSON.stringify({ scopes: ["profile"] }),
      });
      expect(refused.status).toBe(403);
      expect((await call("/api/v1/teams/authorized", "TOKEN_CARL")).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("mirrors the administration API with the same rules, one clear line per error", async () => {
    const put = (args: string[]) => runCli(args, env);
    expect((await put(["user", "put", "dora", "--first-name", "Dora"])).code).toBe(0);
    const team = await put([
      "team",
      "put",
      "rowing",
      "--name",
      "Rowing",
      "--url",
      "https://r.example/",
      "--image",
      "https://r.example/i.png",
      "--privacy-statement",
      "https://r.example/p",
    ]);
    expect(team.code, team.stderr).toBe(0);
    expect(JSON.parse(team.stdout)).toMatchObject({
      id: "rowing",
      name: "Rowing",
      description: "",
    });
    expect((await put(["member", "put", "rowing", "dora", "--role", "owner"])).code).toBe(0);
    const lastOwner = await put(["member", "delete", "rowing", "dora"]);
    expect(lastOwner.code).not.toBe(0);
    expect(lastOwner.stderr.trim()).toBe("teams: A team must keep at least one owner");
    const badUrl = await put([
      "team",
      "put",
      "t2",
      "--name",
      "T",
      "--url",
      "ftp://x",
      "--image",
      "https://x/i",
      "--privacy-statement",
      "https://x/p",
    ]);
    expect(badUrl.stderr.trim()).toBe("teams: url: URL scheme should be 'http' or 'https'");
    expect((await put(["team", "delete", "nope"])).stderr.trim()).toBe("teams: Team not found");
    expect((await put(["team", "delete", "rowing"])).code).toBe(0);
    const migrate = await put(["migrate"]);
    expect(migrate.stdout).toContain("up to date");
    for (const command of ["token", "user", "team", "member", "migrate", "demo"]) {
      const helped = await put([command, "--help"]);
      expect(helped.code, command).toBe(0);
      expect(helped.stdout, command).toContain(`teams ${command}`);
    }
  }, 120_000); // a dozen processes of tsx

  it("prints help, and errors in one line with exit code 2", async () => {
    expect((await runCli(["--help"], env)).stdout).toContain("token");
    expect((await runCli(["token", "--help"], env)).stdout).toContain("--sub");
    const missing = await runCli(["token"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toEqual([
      "teams: --sub is required (the user the token acts as)",
    ]);
    const unknown = await runCli(["fly"], env);
    expect(unknown.code).toBe(2);
  }, 90_000); // four processes of tsx: a loaded machine needs more than the default
});
