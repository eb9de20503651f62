import { applyMigrations, type Database } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";

// A long list is read in chunks from one statement; the connection serves nobody else meanwhile,
// and a stream never starts inside a batch that is not yet durable.

let db: Kysely<Database>;

beforeEach(async () => {
  db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(new BetterSqlite3(":memory:")) });
  await db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind));
  await db
    .insertInto("users")
    .values(
      Array.from({ length: 25 }, (_, i) => ({
        id: `u${String(i).padStart(2, "0")}`,
        first_name: null,
        last_name: null,
        display_name_folded: `u${String(i).padStart(2, "0")}`,
        manager_id: null,
        created_at: "now",
      })),
    )
    .execute();
});
afterEach(() => db.destroy());

const ids = (store: Kysely<Database>) => store.selectFrom("users").select("id").orderBy("id");
/** The statement's rows as the driver hands them over: chunks of at most `size`. */
const chunks = (size: number) => db.getExecutor().stream<{ id: string }>(ids(db).compile(), size);

describe("streaming from the SQLite store", () => {
  it("hands over the rows in chunks, in order", async () => {
    const seen: string[][] = [];
    for await (const { rows } of chunks(10)) seen.push(rows.map((r) => r.id));
    expect(seen.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(seen.flat()).toEqual((await ids(db).execute()).map((r) => r.id));
  });

  it("keeps other statements waiting until the stream is done", async () => {
    const order: string[] = [];
    const stream = (async () => {
      for await (const { rows } of chunks(5)) order.push(`chunk ${rows.length}`);
    })();
    const read = ids(db)
      .execute()
      .then(() => order.push("read"));
    await Promise.all([stream, read]);
    expect(order).toEqual(["chunk 5", "chunk 5", "chunk 5", "chunk 5", "chunk 5", "read"]);
  });

  it("starts after an open batch is durable, and sees it", async () => {
    const write = db.transaction().execute((trx) =>
      trx
        .insertInto("users")
        .values({
          id: "zz",
          first_name: null,
          last_name: null,
          display_name_folded: "zz",
          manager_id: null,
          created_at: "now",
        })
        .execute(),
    );
    const seen: string[] = [];
    for await (const { rows } of chunks(100)) seen.push(...rows.map((r) => r.id));
    await write;
    expect(seen.at(-1)).toBe("zz");
  });
});
