import { join } from "node:path";
import { type Database, LATEST_SCHEMA_VERSION } from "@teams/core";
import { type Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { Child, killRunningChildren } from "./support/child-process.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// synchronous is per connection and better-sqlite3 defaults to NORMAL in WAL mode, where a power
// loss can drop acknowledged commits: every open, in every process, must set FULL again.

async function pragma(db: Kysely<Database>, name: string): Promise<unknown> {
  const { rows } = await sql.raw(`pragma ${name}`).execute(db);
  return Object.values(rows[0] ?? {})[0];
}

async function pragmasOf(db: Kysely<Database>) {
  return {
    synchronous: await pragma(db, "synchronous"),
    journal_mode: await pragma(db, "journal_mode"),
    foreign_keys: await pragma(db, "foreign_keys"),
    temp_store: await pragma(db, "temp_store"),
  };
}

// temp_store 2 (memory): a group commit's savepoint journals never spill to a temporary file.
const EXPECTED = { synchronous: 2, journal_mode: "wal", foreign_keys: 1, temp_store: 2 };

describe("connection settings of a file store", () => {
  afterEach(async () => {
    await killRunningChildren();
    removeTempDirs();
  });

  it("are WAL, synchronous FULL and foreign keys on, after reopening and in another process", async () => {
    const filename = join(tempDir(), "teams.db");
    const first = await openSqliteStore({ filename });
    expect(await pragmasOf(first.db)).toEqual(EXPECTED);
    await first.close();

    const reopened = await openSqliteStore({ filename, busyTimeoutMs: 1234 });
    try {
      expect(await pragmasOf(reopened.db)).toEqual(EXPECTED);
      expect(await pragma(reopened.db, "busy_timeout")).toBe(1234);

      // A second process opening the same file, while this one has it open.
      const other = new Child("opener.ts", []);
      await other.waitForLine((l) => l === "ready");
      other.send(`open ${filename}`);
      const line = await other.waitForLine((l) => l.startsWith("{"));
      expect(JSON.parse(other.lines[line] ?? "")).toEqual({
        ok: true,
        version: LATEST_SCHEMA_VERSION,
        ...EXPECTED,
      });
      other.process.stdin.end();
      expect(await other.exited).toEqual({ code: 0, signal: null });

      // foreign_keys = 1 is behaviour: an authorization by an unknown user is refused.
      await expect(
        sql`insert into authorizations (user_id, team_id, scopes, granted_at, updated_at)
            values ('nobody', 'nothing', 'data:read', 'now', 'now')`.execute(reopened.db),
      ).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
