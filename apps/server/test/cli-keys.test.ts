import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGNING_KEYS_FILE } from "@teams/auth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./process.js";

// `teams keys rotate`: a new signing key in the data folder, the old one kept as previous.

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "teams-cli-keys-"));
  env = { TEAMS_DATABASE: join(dir, "teams.db") };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stored = () => JSON.parse(readFileSync(join(dir, SIGNING_KEYS_FILE), "utf8"));

describe("teams keys rotate", () => {
  it("prints the new kid, keeps the old key as previous, and never prints a private key", async () => {
    const first = await runCli(["keys", "rotate"], env);
    expect(first.code, first.stderr).toBe(0);
    const firstKid = first.stdout.trim();
    expect(stored().current.kid).toBe(firstKid);
    expect(statSync(join(dir, SIGNING_KEYS_FILE)).mode & 0o777).toBe(0o600);

    const second = await runCli(["keys", "rotate"], env);
    expect(second.code, second.stderr).toBe(0);
    const secondKid = second.stdout.trim();
    expect(secondKid).not.toBe(firstKid);
    const keys = stored();
    expect(keys.current.kid).toBe(secondKid);
    expect(keys.previous.key.kid).toBe(firstKid);
    for (const output of [first.stdout, second.stdout, first.stderr, second.stderr]) {
      expect(output).not.toContain(keys.current.d);
      expect(output).not.toContain(keys.previous.key.d);
    }
  }, 60_000);

  it("refuses with one line and exit code 2 when TEAMS_SIGNING_KEY is set, writing nothing", async () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const run = await runCli(["keys", "rotate"], { ...env, TEAMS_SIGNING_KEY: pem });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^teams: teams keys rotate: TEAMS_SIGNING_KEY is set[^\n]*\n$/);
    expect(run.stderr).not.toContain(pem.split("\n")[1]);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it("refuses an unknown action with exit code 2", async () => {
    const run = await runCli(["keys", "list"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("teams keys rotate");
  }, 60_000);
});
