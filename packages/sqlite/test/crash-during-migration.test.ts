import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createTeams, LATEST_SCHEMA_VERSION, migrations, readSchemaVersion } from "@teams/core";
import { delegated, principal, seedWorld, withListValues } from "@teams/core/testing";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { Child, killRunningChildren, sleep } from "./support/child-process.js";
import { inspectFile, removeTempDirs, SCHEMA_TABLES, tempDir } from "./support/database-file.js";

// Migrations are all or nothing: a process killed while migrating leaves the file at the version it
// had, and the next open migrates it.

/** A file left at version 0 has none of the new schema's tables. */
function expectUnmigrated(filename: string, context = "") {
  const state = inspectFile(filename);
  expect(state.integrity, context).toBe("ok");
  expect(state.version, context).toBe(0);
  expect(
    state.tables.filter((t) => (SCHEMA_TABLES as readonly string[]).includes(t)),
    context,
  ).toEqual([]);
}

/** Opens with the store, which must migrate it, then uses it as the conformance suite does. */
async function expectMigratesAndWorks(filename: string) {
  const store = await openSqliteStore({ filename });
  try {
    expect(await readSchemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
    const teams = withListValues(createTeams(store));
    await seedWorld(teams);
    await teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] });
    const users = await teams.listTeamUsers(principal("coach"), "club");
    expect(users.map((u) => [u.id, u.scopes])).toEqual([["ann", ["data:read"]]]);
    expect(store.integrityCheck()).toBe("ok");
  } finally {
    await store.close();
  }
}

describe("a process killed while migrating", () => {
  afterEach(async () => {
    await killRunningChildren();
    removeTempDirs();
  });

  it("leaves the file unmigrated after applyMigrations ran but before commit", async () => {
    const filename = join(tempDir(), "teams.db");
    const child = new Child("migrate-and-hang.ts", [filename]);
    const line = await child.waitForLine((l) => l.startsWith("{"));
    // A new file gets every migration, in order.
    expect(JSON.parse(child.lines[line] ?? "")).toEqual({
      applied: migrations.map((m) => m.version),
    });

    // The child really is inside its transaction: it holds the write lock, and others still read
    // the file as it was before.
    const probe = new BetterSqlite3(filename, { timeout: 0 });
    try {
      expect(() => probe.exec("begin immediate")).toThrow(
        expect.objectContaining({ code: "SQLITE_BUSY" }),
      );
      expect(probe.prepare("select name from sqlite_master where type = 'table'").all()).toEqual(
        [],
      );
    } finally {
      probe.close();
    }

    child.kill();
    expect((await child.exited).signal).toBe("SIGKILL");
    expectUnmigrated(filename);
    // The file was new: not even teams_schema, created in the same transaction, is left.
    expect(inspectFile(filename).tables).toEqual([]);
    await expectMigratesAndWorks(filename);
  }, 60_000);

  const ROUNDS = 15;
  it(`leaves every file at version 0 or the latest when killed at a random moment (${ROUNDS} rounds)`, async () => {
    let opened = 0;
    let unmigrated = 0;
    const start = () => {
      const dir = tempDir();
      return { dir, child: new Child("open-loop.ts", [dir]) };
    };
    // The next round's process loads while this round's files are checked.
    let next = start();
    for (let round = 0; round < ROUNDS; round++) {
      const { dir, child } = next;
      if (round + 1 < ROUNDS) next = start();
      await child.waitForLine((l) => l === "ready");
      child.send("go");
      // The child creates and migrates fresh files in a loop, so the kill lands inside some open.
      await sleep(Math.random() * 150);
      child.kill();
      expect((await child.exited).signal, child.stderr).toBe("SIGKILL");

      const done = child.lines.filter((l) => /^\d+$/.test(l)).length;
      const files = readdirSync(dir).filter((f) => /^\d+\.db$/.test(f));
      // Every file the child finished, and at most the one it was working on.
      expect(files.length - done, `round ${round}`).toBeLessThanOrEqual(1);
      for (const file of files) {
        const filename = join(dir, file);
        const index = Number(file.replace(".db", ""));
        const context = `round ${round}, ${file} (${done} finished)`;
        const state = inspectFile(filename);
        expect(state.integrity, context).toBe("ok");
        if (index < done) {
          expect(state.version, context).toBe(LATEST_SCHEMA_VERSION);
        } else if (state.version === 0) {
          expectUnmigrated(filename, context);
          if (existsSync(filename) && statSync(filename).size > 0) unmigrated++;
        } else {
          expect(state.version, context).toBe(LATEST_SCHEMA_VERSION);
        }
        // Whatever state it was left in, the store opens it and brings it to the latest version.
        const store = await openSqliteStore({ filename });
        expect(await readSchemaVersion(store.db), context).toBe(LATEST_SCHEMA_VERSION);
        expect(store.integrityCheck(), context).toBe("ok");
        await store.close();
      }
      opened += done;
    }
    console.info(
      `killed mid-open: ${ROUNDS} kills, ${opened} stores opened before the kills, ` +
        `${unmigrated} non-empty files left unmigrated by a kill (all recovered)`,
    );
  }, 60_000);
});
