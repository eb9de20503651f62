import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./process.js";

// `teams webhooks`: the webhook subscriptions of the admin API on the command line, same rules.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "teams-cli-webhooks-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("teams webhooks", () => {
  it("puts (making a secret), lists, shows, pages deliveries and deletes; refuses private receivers", async () => {
    const env = { TEAMS_DATABASE: join(dir, "teams.db"), TEAMS_WEBHOOKS_ALLOW_PRIVATE: "1" };
    const cli = async (...args: string[]) => {
      const run = await runCli(["webhooks", ...args], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };
    const put = await cli(
      "put",
      "crm",
      "--url",
      "http://127.0.0.1:9/hook",
      "--event-types",
      "authorization.revoked",
    );
    // Printed once, when made here; never shown again.
    expect(put.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(put).toMatchObject({ id: "crm", event_types: ["authorization.revoked"] });
    const shown = await cli("get", "crm");
    expect(shown.secret).toBeUndefined();
    expect(shown.secret_hint).toBe(`${put.secret.slice(0, 10)}…`);
    expect((await cli("list")).map((w: { id: string }) => w.id)).toEqual(["crm"]);
    expect(await cli("deliveries", "crm", "--limit", "5")).toEqual({
      items: [],
      next_cursor: null,
    });
    expect(await cli("delete", "crm")).toEqual({ deleted: "crm" });

    const strict = await runCli(["webhooks", "put", "crm", "--url", "http://127.0.0.1:9/hook"], {
      TEAMS_DATABASE: join(dir, "teams.db"),
    });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain("loopback, private or link-local");
    const gone = await runCli(["webhooks", "get", "crm"], env);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("Webhook not found");
  }, 120_000); // each run starts a process
});
