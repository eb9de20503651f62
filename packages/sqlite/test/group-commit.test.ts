import { join } from "node:path";
import { applyMigrations, type Database, Unavailable } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { applyPragmas } from "../src/sqlite-pragmas.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// Transactions that arrive together share one COMMIT, and none is acknowledged before it is
// durable; each still succeeds or fails on its own.

let database: BetterSqlite3.Database;
let db: Kysely<Database>;
/** Another connection to the same file: it sees only what was committed. */
let probe: BetterSqlite3.Database;

beforeEach(async () => {
  const filename = join(tempDir(), "teams.db");
  database = new BetterSqlite3(filename, { timeout: 5000 });
  applyPragmas(database, 5000);
  db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  await db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind));
  probe = new BetterSqlite3(filename, { readonly: true });
});
afterEach(() => {
  probe.close();
  if (database.open) database.close();
  removeTempDirs();
});

const committedUsers = () =>
  (probe.prepare("select id from users order by id").all() as { id: string }[]).map((r) => r.id);

const addUser = (id: string, fail = false) =>
  db.transaction().execute(async (trx) => {
    await trx
      .insertInto("users")
      .values({
        id,
        first_name: null,
        last_name: null,
        display_name_folded: id,
        manager_id: null,
        created_at: "now",
      })
      .execute();
    if (fail) throw new Error(`${id} changed its mind`);
    return committedUsers();
  });

describe("group commit", () => {
  it("acknowledges transactions that arrived together once all of them are durable", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    const seenAtAcknowledgement: string[][] = [];
    const seenInside = await Promise.all(
      ids.map(async (id) => {
        const seen = await addUser(id);
        seenAtAcknowledgement.push(committedUsers());
        return seen;
      }),
    );
    for (const seen of seenInside) expect(seen).toEqual([]);
    // Inside its transaction none saw a committed row; when any was acknowledged, all were durable.
    for (const seen of seenAtAcknowledgement) expect(seen).toEqual(ids);
  });

  it("rolls back a failing transaction alone", async () => {
    const results = await Promise.allSettled([addUser("a"), addUser("b", true), addUser("c")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(committedUsers()).toEqual(["a", "c"]);
  });

  it("answers a read that saw the open batch only once the batch is durable", async () => {
    const write = addUser("w");
    const read = db.selectFrom("users").select("id").execute();
    const rows = await read;
    expect(rows.map((r) => r.id)).toEqual(["w"]);
    expect(committedUsers()).toEqual(["w"]);
    await write;
  });

  it("acknowledges nothing it could not commit", async () => {
    const writes = Promise.allSettled([addUser("x"), addUser("y")]);
    // The transactions run in microtasks; the shared COMMIT waits for the next turn of the event
    // loop, and the database goes away before it.
    for (let i = 0; i < 200; i++) await Promise.resolve();
    expect(database.inTransaction).toBe(true);
    database.close();
    const results = await writes;
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(Unavailable);
    }
    expect(committedUsers()).toEqual([]);
  });

  it("still commits a lone transaction by itself", async () => {
    await addUser("solo");
    expect(committedUsers()).toEqual(["solo"]);
  });
});
