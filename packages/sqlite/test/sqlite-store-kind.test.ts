import { join } from "node:path";
import { applyMigrations, type Database } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { openSqliteStore } from "../src/sqlite-store.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// sqliteStoreKind's own steps after the shared migrations: the covering index of teams that lists
// read, and the planner statistics that make SQLite prefer it.

let file: string;
let database: BetterSqlite3.Database;
let db: Kysely<Database>;

/** A database migrated by the core's shared steps alone, without what afterMigrations adds. */
beforeEach(async () => {
  file = join(tempDir(), "kind.db");
  database = new BetterSqlite3(file);
  db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  // The shared steps only: a kind without steps of its own.
  const shared = { family: "sqlite", jsonObject: sqliteStoreKind.jsonObject } as const;
  await db.transaction().execute((trx) => applyMigrations(trx, shared));
  // The statistics table exists, with nothing of the teams in it.
  await sql`analyze`.execute(db);
  await sql`delete from sqlite_stat1 where tbl = 'teams'`.execute(db);
  await sql`analyze sqlite_schema`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  removeTempDirs();
});

const afterMigrations = (applied: readonly number[]) =>
  db.transaction().execute((trx) => sqliteStoreKind.afterMigrations(trx, applied));

/** What another connection sees of the index and the statistics, once committed. */
function committed() {
  const probe = new BetterSqlite3(file, { readonly: true });
  try {
    const columns = probe.prepare("select name from pragma_index_info('teams_list_idx')").pluck();
    const stats = probe.prepare(
      "select idx, stat from sqlite_stat1 where tbl = 'teams' order by idx",
    );
    return { columns: columns.all(), stats: stats.all() };
  } finally {
    probe.close();
  }
}

/** The plan of a user's teams, as the core reads them: authorizations joined to their teams. */
function planOfTeamLookup(): string[] {
  const query = `select t.id, t.name, t.description, t.url, t.image, t.privacy_statement
    from authorizations a join teams t on t.id = a.team_id where a.user_id = ?`;
  const plan = database.prepare(`explain query plan ${query}`).all("ann") as { detail: string }[];
  return plan.map((line) => line.detail);
}

describe("sqliteStoreKind.afterMigrations", () => {
  it("after migration 3, creates the covering index of teams and the statistics that pick it", async () => {
    expect(planOfTeamLookup().join()).not.toMatch(/teams_list_idx/);
    await afterMigrations([1, 2, 3]);
    expect(committed()).toEqual({
      columns: ["id", "name", "description", "url", "image", "privacy_statement"],
      stats: [
        { idx: "sqlite_autoindex_teams_1", stat: "1000000 1" },
        { idx: "teams_list_idx", stat: "1000000 1 1 1 1 1 1" },
      ],
    });
    expect(planOfTeamLookup()).toContainEqual(
      "SEARCH t USING COVERING INDEX teams_list_idx (id=?)",
    );
  });

  it("does nothing when migration 3 was not among those applied", async () => {
    await afterMigrations([]);
    await afterMigrations([4]);
    expect(committed()).toEqual({ columns: [], stats: [] });
  });

  it("runs again on a database that has them already (one the core migrated alone)", async () => {
    await afterMigrations([3]);
    await afterMigrations([3]);
    expect(committed().stats).toHaveLength(2);
    expect(planOfTeamLookup().join()).toMatch(/COVERING INDEX teams_list_idx/);
  });

  it("is the kind openSqliteStore's store carries", async () => {
    const store = await openSqliteStore({ filename: join(tempDir(), "store.db") });
    try {
      expect(store.kind).toBe(sqliteStoreKind);
      expect(store.kind.family).toBe("sqlite");
    } finally {
      await store.close();
    }
  });
});
