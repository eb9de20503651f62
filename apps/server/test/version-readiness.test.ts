import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_SCHEMA_VERSION, Unavailable } from "@teams/core";
import { afterEach, describe, expect, it } from "vitest";
import { outboxStuck } from "../src/http/readiness.js";
import { type Harness, harness, SECRET } from "./harness.js";
import { startServerProcess } from "./process.js";

// Issue 18, item 6: GET /version says which release, schema and store answer; /readyz runs named
// checks (the store answers; the webhook outbox, when there is one, is not stuck).

const version = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("outboxStuck", () => {
  it.each([
    { age: null, max: 300, stuck: false },
    { age: 0, max: 300, stuck: false },
    { age: 300, max: 300, stuck: false },
    { age: 301, max: 300, stuck: true },
    { age: 5, max: 1, stuck: true },
  ])("an oldest entry of $age s with a limit of $max s: stuck $stuck", ({ age, max, stuck }) => {
    expect(outboxStuck(age, max) !== undefined).toBe(stuck);
  });
});

describe("GET /version", () => {
  it("names the package version, the database's schema version and the store", async () => {
    h = await harness({
      app: { about: { store: "sqlite", schemaVersion: async () => LATEST_SCHEMA_VERSION } },
    });
    const answer = await h.request("/version");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      version,
      schema_version: LATEST_SCHEMA_VERSION,
      latest_schema_version: LATEST_SCHEMA_VERSION,
      store: "sqlite",
    });
  });
});

describe("GET /version of a running server", () => {
  it("reports the SQLite store it opened, migrated to the latest schema", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teams-version-"));
    const server = await startServerProcess({
      PORT: "0",
      TEAMS_LOG: "off",
      TEAMS_DATABASE: join(dir, "teams.db"),
      TEAMS_JWT_SECRET: SECRET,
    });
    try {
      expect(await (await fetch(`${server.url}/version`)).json()).toEqual({
        version,
        schema_version: LATEST_SCHEMA_VERSION,
        latest_schema_version: LATEST_SCHEMA_VERSION,
        store: "sqlite",
      });
    } finally {
      server.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GET /readyz", () => {
  it("is ready when the store answers and the outbox is fresh", async () => {
    h = await harness({ app: { outboxAge: async () => 2, outboxMaxAgeSeconds: 60 } });
    const answer = await h.request("/readyz");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      status: "ready",
      checks: { database: "ok", webhook_outbox: "ok" },
    });
  });

  it("reports a stuck webhook outbox as not ready, the database still ok", async () => {
    h = await harness({ app: { outboxAge: async () => 3600, outboxMaxAgeSeconds: 60 } });
    const answer = await h.request("/readyz");
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
    const body = (await answer.json()) as { detail: string; checks: unknown };
    expect(body.checks).toEqual({ database: "ok", webhook_outbox: "failing" });
    expect(body.detail).toMatch(/webhook outbox's oldest delivery has waited 3600 s/);
  });

  it("reports an outbox that cannot be read as failing", async () => {
    h = await harness({
      app: {
        outboxAge: async () => {
          throw new Unavailable("down", 1);
        },
      },
    });
    const answer = await h.request("/readyz");
    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({
      detail: "The webhook outbox cannot be read",
      checks: { database: "ok", webhook_outbox: "failing" },
    });
  });

  it("has only the database check without an outbox", async () => {
    h = await harness();
    expect(await (await h.request("/readyz")).json()).toEqual({
      status: "ready",
      checks: { database: "ok" },
    });
  });
});
