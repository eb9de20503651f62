import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./process.js";

// `teams token --delegate`: the token pair the endpoint answers, from the command line, with the
// endpoint's rules (development mode).

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "teams-cli-delegate-"));
  env = { TEAMS_DATABASE: join(dir, "teams.db") };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("teams token --delegate", () => {
  it("prints a delegated token pair for a managed user, and refuses anyone else", async () => {
    const created = await runCli(
      ["managed", "create", "--as", "coach", "--first-name", "Kim"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const kim = JSON.parse(created.stdout) as { id: string };
    const run = await runCli(
      ["token", "--delegate", kim.id, "--as", "coach", "--scope", "data:read"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const pair = JSON.parse(run.stdout);
    expect(pair).toMatchObject({ token_type: "Bearer", scope: "data:read" });
    expect(pair.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeJwt(pair.access_token)).toMatchObject({ sub: kim.id, azp: "coach" });

    const refused = await runCli(["token", "--delegate", kim.id, "--as", "rival"], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("User not found");
    const missing = await runCli(["token", "--delegate", kim.id], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--as");
  }, 120_000); // each run starts a process
});
