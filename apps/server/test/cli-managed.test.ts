import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./process.js";

// `teams managed`: what a coach or an operator needs for managed users, with the API's rules.

let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "teams-cli-managed-"));
  env = { TEAMS_DATABASE: join(dir, "teams.db") };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("teams managed", () => {
  it("creates, lists, shows, renames and deletes a coach's managed users", async () => {
    const cli = async (...args: string[]) => {
      const run = await runCli(["managed", ...args], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };
    const kim = await cli("create", "--as", "coach", "--first-name", "Kim");
    expect(kim).toMatchObject({ first_name: "Kim", last_name: null, is_managed: true });
    expect((await cli("list", "--as", "coach")).map((u: { id: string }) => u.id)).toEqual([
      kim.id,
      "coach",
    ]);
    expect(await cli("show", "--as", "coach", kim.id)).toEqual(kim);
    const renamed = await cli("rename", "--as", "coach", kim.id, "--last-name", "Lee");
    expect(renamed).toMatchObject({ first_name: "Kim", last_name: "Lee", display_name: "Kim Lee" });
    expect(await cli("delete", "--as", "coach", kim.id)).toEqual({ deleted: kim.id });

    // Someone else's (or a deleted) user is refused as over the API, with a one-line error.
    const refused = await runCli(["managed", "show", "--as", "coach", kim.id], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("User not found");
    expect(
      (await cli("list", "--as", "coach", "--no-managed")).map((u: { id: string }) => u.id),
    ).toEqual(["coach"]);
    const missing = await runCli(["managed", "list"], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--as");
  }, 120_000); // each run starts a process
});
