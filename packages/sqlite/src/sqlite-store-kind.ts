import type { StoreKind } from "@teams/core";
import { sql } from "kysely";
import { markOwnSelect } from "./own-selects.js";
import { sqliteJsonObject } from "./sqlite-json-text.js";

/** The migration whose tables the SQLite-only steps below serve. */
const LIST_LINES_MIGRATION = 3;

/**
 * What the SQLite store tells the core about itself: SQLite's JSON text, its fast reading of the
 * core's own selects, and the steps of its own after the shared migrations. `openSqliteStore`'s
 * store carries it (`store.kind`); an embedder who opens Kysely over SQLite passes it to the core.
 * Every member is present (`Required`): its callers need not check for the optional ones.
 */
export const sqliteStoreKind: Required<StoreKind> = {
  family: "sqlite",

  jsonObject: sqliteJsonObject,

  // Marked, then run through Kysely's own executeQuery: its log and plugins see the query, a
  // transaction's `db` runs it on the transaction's connection, and a group-commit batch queues it
  // as any other. The Teams lease reads marked selects the fast way (sqlite-json-rows.ts); Kysely's
  // own SqliteDialect, or any other connection, runs the copy as the query it is.
  readOwnRows(db, query) {
    return db.executeQuery(markOwnSelect(query));
  },

  async afterMigrations(trx, applied) {
    if (!applied.includes(LIST_LINES_MIGRATION)) return;
    // SQLite finds a team by id through its primary key's index and then in the table: two
    // descents a team, which on 10,000 teams made a user's list of 10 teams 1.2 to 1.3 times
    // slower than on 10. This index answers a list's columns in one. (Not on PostgreSQL, whose
    // index entries cannot hold a description of 2,000 characters.)
    await sql`create index if not exists teams_list_idx
      on teams (id, name, description, url, image, privacy_statement)`.execute(trx);
    // Without statistics SQLite prefers the primary key's index; these say that both find one
    // row by id, so it takes the one that needs no table lookup. `ANALYZE` (or `PRAGMA
    // optimize`) replaces them with measured ones, which say the same.
    await sql`analyze teams_list_idx`.execute(trx);
    await sql`delete from sqlite_stat1 where tbl = 'teams'`.execute(trx);
    await sql`insert into sqlite_stat1 (tbl, idx, stat) values
      ('teams', 'teams_list_idx', '1000000 1 1 1 1 1 1'),
      ('teams', 'sqlite_autoindex_teams_1', '1000000 1')`.execute(trx);
    // The planner reads sqlite_stat1 when the schema is loaded: this reloads it.
    await sql`analyze sqlite_schema`.execute(trx);
  },
};
