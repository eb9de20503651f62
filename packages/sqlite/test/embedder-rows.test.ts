import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// An embedder's own queries through ImmediateSqliteDialect answer exactly what better-sqlite3
// answers for the statement: its integer mode (here BigInts), BLOBs as Buffers, floats, NULLs,
// duplicate column names resolved as it resolves them; in and outside transactions, and streamed.

let database: BetterSqlite3.Database;
let db: Kysely<unknown>;

beforeEach(async () => {
  database = new BetterSqlite3(join(tempDir(), "embedder.db"));
  database.defaultSafeIntegers(true);
  db = new Kysely({ dialect: new ImmediateSqliteDialect(database) });
  await sql`create table things (id integer primary key, n integer, r real, b blob, k text)`.execute(
    db,
  );
  const insert = database.prepare("insert into things (id, n, r, b, k) values (?, ?, ?, ?, ?)");
  const rows: [bigint, bigint | null, number | null, Buffer | null, string | null][] = [
    [1n, 2n ** 53n + 1n, 0.1, Buffer.from([0, 1, 2, 255]), "plain"],
    [2n, -(2n ** 63n), -0.0, Buffer.alloc(0), 'quote " and \\ backslash'],
    [3n, 2n ** 63n - 1n, 1e300, null, "emoji 😀 and 𝒜"],
    [4n, 0n, Number.NaN, Buffer.from("text as bytes"), ""],
    [5n, null, null, null, null],
    [6n, -1n, 0.1 + 0.2, Buffer.from([7]), "9007199254740993"],
  ];
  for (const row of rows) insert.run(row);
});
afterEach(async () => {
  await db.destroy();
  removeTempDirs();
});

/** What better-sqlite3 itself answers for `query` on the embedder's connection. */
const direct = (query: string) => database.prepare(query).all();

const selects = [
  "select id, n, r, b, k from things order by id",
  "select n from things order by id desc",
  "select b from things order by id",
  "select id as x, k as x, n from things order by id",
  "select t.id, u.id, t.n + 0 as n from things t join things u on u.id = t.id + 1 order by t.id",
  "select count(*) as c, max(n) as top from things",
  "select id from things where id < 0",
];

describe("an embedder's own table through ImmediateSqliteDialect", () => {
  it("holds the values the test is about, as better-sqlite3 reads them", () => {
    const rows = direct("select n, r, b from things order by id") as Record<string, unknown>[];
    expect(rows[0]?.n).toBe(9007199254740993n);
    expect(Buffer.isBuffer(rows[0]?.b)).toBe(true);
    expect(Object.is(rows[1]?.r, 0)).toBe(true); // SQLite keeps -0.0 as 0
    expect(rows[3]?.r).toBeNull(); // NaN is stored as NULL
  });

  it("answers every select as better-sqlite3 does", async () => {
    for (const query of selects) {
      const { rows } = await sql.raw(query).execute(db);
      expect(rows, query).toStrictEqual(direct(query));
    }
  });

  it("answers the same inside a transaction, uncommitted rows included", async () => {
    await db.transaction().execute(async (trx) => {
      await sql`insert into things (id, n, k) values (${7n}, ${2n ** 60n}, ${"inside"})`.execute(
        trx,
      );
      for (const query of selects) {
        const { rows } = await sql.raw(query).execute(trx);
        expect(rows, query).toStrictEqual(direct(query));
      }
    });
  });

  it("streams what better-sqlite3 answers, chunk by chunk", async () => {
    for (const query of selects) {
      for (const size of [1, 4, 100]) {
        const streamed: unknown[] = [];
        for await (const { rows } of db.getExecutor().stream(CompiledQuery.raw(query), size)) {
          expect(rows.length).toBeLessThanOrEqual(size);
          streamed.push(...rows);
        }
        expect(streamed, query).toStrictEqual(direct(query));
      }
    }
  });

  it("answers writes with their changes and the inserted row's id", async () => {
    const result = await sql`insert into things (id, k) values (${2n ** 62n}, ${"big"})`.execute(
      db,
    );
    expect(result.insertId).toBe(2n ** 62n);
    expect(result.numAffectedRows).toBe(1n);
  });

  it("binds parameters as better-sqlite3 does", async () => {
    const query = sql<{ id: bigint }>`select id, k from things where n > ${2n ** 53n} order by id`;
    const { rows } = await query.execute(db);
    expect(rows).toStrictEqual(
      database.prepare("select id, k from things where n > ? order by id").all(2n ** 53n),
    );
    expect(rows.map((r) => r.id)).toEqual([1n, 3n]);
  });
});
