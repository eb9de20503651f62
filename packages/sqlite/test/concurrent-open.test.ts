import { join } from "node:path";
import { LATEST_SCHEMA_VERSION } from "@teams/core";
import { afterEach, describe, expect, it } from "vitest";
import { Child, killRunningChildren } from "./support/child-process.js";
import { inspectFile, removeTempDirs, SCHEMA_TABLES, tempDir } from "./support/database-file.js";

// Two processes (say, a server and a CLI) starting on the same new file at the same moment: one
// creates the file and migrates it, the other waits for the write lock and finds it migrated.

// The race a new file is exposed to (switching it to WAL while the other process opens it) shows in
// about one round in fifty or a hundred, hence many cheap rounds.
const ROUNDS = 100;

describe("two processes opening one new file at once", () => {
  afterEach(async () => {
    await killRunningChildren();
    removeTempDirs();
  });

  it(`both open it and the schema is migrated once (${ROUNDS} rounds)`, async () => {
    const dir = tempDir();
    const openers = [new Child("opener.ts", []), new Child("opener.ts", [])];
    await Promise.all(openers.map((c) => c.waitForLine((l) => l === "ready")));
    for (let round = 0; round < ROUNDS; round++) {
      const filename = join(dir, `round-${round}.db`);
      const from = openers.map((c) => c.lines.length);
      // Both commands leave together; each child starts opening as soon as it reads its line.
      for (const c of openers) c.send(`open ${filename}`);
      const answers = await Promise.all(
        openers.map(async (c, i) => {
          const index = await c.waitForLine((l) => l.startsWith("{"), from[i]);
          return JSON.parse(c.lines[index] ?? "") as Record<string, unknown>;
        }),
      );
      for (const answer of answers) {
        expect(answer, `round ${round}: ${JSON.stringify(answer)}`).toMatchObject({
          ok: true,
          version: LATEST_SCHEMA_VERSION,
        });
      }
      const state = inspectFile(filename);
      expect(state, `round ${round}`).toEqual({
        integrity: "ok",
        tables: [...SCHEMA_TABLES, "teams_schema"].sort(),
        version: LATEST_SCHEMA_VERSION,
      });
    }
    for (const c of openers) c.process.stdin.end();
    for (const exit of await Promise.all(openers.map((c) => c.exited))) {
      expect(exit).toEqual({ code: 0, signal: null });
    }
    console.info(
      `concurrent open: ${ROUNDS} rounds, 2 processes each, all opened and migrated once`,
    );
  }, 60_000);
});
