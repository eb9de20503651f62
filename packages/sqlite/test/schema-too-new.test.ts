import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTeams, LATEST_SCHEMA_VERSION, SchemaTooNew } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// Rolling back to an older release must not misread or "migrate" a newer file: it refuses it,
// says what to do, and leaves it exactly as it was.

/** Every row of every table, and the schema, as a user could compare them. */
function dump(filename: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(filename, { readonly: true });
  try {
    const tables = db.prepare("select name, sql from sqlite_master order by type, name").all() as {
      name: string;
      sql: string | null;
    }[];
    const out: Record<string, unknown[]> = { sqlite_master: tables };
    for (const t of tables.filter((x) => x.sql?.startsWith("CREATE TABLE"))) {
      out[t.name] = db.prepare(`select * from "${t.name}" order by rowid`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

describe("a database written by a newer release", () => {
  afterEach(removeTempDirs);

  it("is refused with SchemaTooNew naming both versions, and left unchanged", async () => {
    const filename = join(tempDir(), "teams.db");
    const store = await openSqliteStore({ filename });
    await seedWorld(createTeams(store));
    await store.close();
    const newer = LATEST_SCHEMA_VERSION + 1;
    const raw = new BetterSqlite3(filename);
    raw.prepare("update teams_schema set version = ? where id = 1").run(newer);
    raw.close();

    const bytes = readFileSync(filename);
    const before = dump(filename);

    const refusal = await openSqliteStore({ filename }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SchemaTooNew);
    const message = (refusal as SchemaTooNew).message;
    expect(message).toContain(`schema version ${newer}`);
    expect(message).toContain(`up to ${LATEST_SCHEMA_VERSION}`);
    expect(message).toMatch(/upgrade/i);

    expect(readFileSync(filename).equals(bytes)).toBe(true);
    expect(dump(filename)).toEqual(before);
    expect(before.teams_schema).toEqual([{ id: 1, version: newer }]);
    // The refusal closed the file: it can be written by another connection right away.
    const writer = new BetterSqlite3(filename, { timeout: 0 });
    expect(() => writer.exec("begin immediate; rollback")).not.toThrow();
    writer.close();
  });
});
