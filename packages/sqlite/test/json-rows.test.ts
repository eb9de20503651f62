import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { CamelCasePlugin, CompiledQuery, Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// The core's own selects, read through `sqliteStoreKind.readOwnRows`, take the fast way
// (sqlite-json-rows.ts): one JSON text for rows of several columns, bare values for one. Whatever
// such a select holds, its rows must be exactly those `executeQuery` answers, in the same order.

let file: string;
let database: BetterSqlite3.Database;
let db: Kysely<unknown>;
/** Every statement the driver prepared, to see which way a select was read. */
let prepared: string[];

function open(setUp: (database: BetterSqlite3.Database) => void = () => {}): void {
  database = new BetterSqlite3(file);
  setUp(database);
  prepared = [];
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof database.prepare;
  db = new Kysely({ dialect: new ImmediateSqliteDialect(database) });
}

beforeEach(async () => {
  file = join(tempDir(), "rows.db");
  open();
  await sql`create table t (id integer primary key, k text, n integer, r real, b blob)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  removeTempDirs();
});

const readOwn = <R>(on: Kysely<unknown>, query: string, parameters: unknown[] = []) =>
  sqliteStoreKind.readOwnRows<R>(on, CompiledQuery.raw(query, parameters));

/** What `readOwnRows` answers for `query`, and what `executeQuery` answers. */
async function both(query: string, on: Kysely<unknown> = db) {
  const own = await readOwn(on, query);
  const plain = await on.executeQuery(CompiledQuery.raw(query));
  return { own: own.rows, plain: plain.rows };
}

const readAsJson = (query: string) =>
  prepared.some((s) => s.startsWith("with rows(") && s.includes(query));

const insert = (id: number, k: string | null, n: number | null = null) =>
  database.prepare("insert into t (id, k, n) values (?, ?, ?)").run(id, k, n);

describe("the core's own selects, read through readOwnRows", () => {
  it("keep every value exactly: text of every kind, integers, floats, NULL", async () => {
    const texts = [
      "",
      "plain",
      'quote " and \\ backslash',
      "control \u0001\u001f\u007f and \n\t\r",
      "Åsa Ødegård",
      "emoji 😀 and 𝒜",
      "<script>alert(1)</script>",
      "9007199254740993",
      "null",
      "[1,2]",
    ];
    const numbers = [0, -1, 1, 2 ** 31, -(2 ** 53) + 1, 2 ** 53 - 1];
    const reals = [0.1 + 0.2, 1e-300, -2.5, 1.7976931348623157e308, 5e-324, 2.0, -0.0, 1e300];
    const insertRow = database.prepare("insert into t (k, n, r) values (?, ?, ?)");
    for (let i = 0; i < texts.length; i++) {
      insertRow.run(texts[i], numbers[i % numbers.length], reals[i % reals.length]);
    }
    insertRow.run(null, null, Number.NaN);
    const query = "select id, k, n, r from t order by id";
    const { own, plain } = await both(query);
    expect(own).toStrictEqual(plain);
    expect(own).toHaveLength(texts.length + 1);
    expect(own.map((r) => (r as { k: unknown }).k)).toEqual([...texts, null]);
    expect(readAsJson(query)).toBe(true);
  });

  it("keep the select's order, with and without LIMIT, over joins and expressions", async () => {
    // Inserted in an order unlike any the selects ask for.
    for (let i = 0; i < 300; i++) insert((i * 7919) % 1000, `key ${(i * 31) % 97}`, i % 5);
    for (const query of [
      "select k, id from t order by k desc, id",
      "select k, id from t order by n, k, id desc limit 120",
      "select k, id from t where n > 1 order by k, id limit 50 offset 30",
      "select a.id, b.id as id, a.k || b.k as both, a.n is not null as has_n from t a join t b on b.n = a.n where a.id < 40 order by b.k desc, a.id, b.id",
      "select n, count(*) as c, group_concat(k) as ks from t group by n order by c desc, n",
    ]) {
      const { own, plain } = await both(query);
      expect(own, query).toStrictEqual(plain);
      expect(own.length, query).toBeGreaterThan(0);
      expect(readAsJson(query), query).toBe(true);
    }
  });

  it("read a select of one column as bare values, in order (JSON would only escape it)", async () => {
    for (let i = 0; i < 50; i++) insert(i, `{"line": ${(i * 37) % 50}, "q": "\\""}`);
    const query = "select k from t order by k desc";
    const { own, plain } = await both(query);
    expect(own).toStrictEqual(plain);
    expect(own).toHaveLength(50);
    expect(readAsJson(query)).toBe(false);
  });

  it("hand over JSON a select builds as its text, not as what it holds", async () => {
    insert(1, "x");
    const query = "select id, json_object('k', k, 'n', json('[1,2]')) as line from t";
    const { own, plain } = await both(query);
    expect(own).toStrictEqual([{ id: 1, line: '{"k":"x","n":[1,2]}' }]);
    expect(own).toStrictEqual(plain);
    expect(readAsJson(query)).toBe(true);
  });

  it("name duplicate columns as better-sqlite3 does (the later one wins)", async () => {
    insert(1, "one", 10);
    const { own, plain } = await both("select id as x, k as x, n from t");
    expect(own).toStrictEqual([{ x: "one", n: 10 }]);
    expect(own).toStrictEqual(plain);
  });

  it("answer an empty list for no rows", async () => {
    for (const query of ["select id from t where id < 0", "select id, k from t where id < 0"]) {
      const { own, plain } = await both(query);
      expect(own, query).toStrictEqual([]);
      expect(plain, query).toStrictEqual([]);
    }
  });

  it("read BLOBs, which JSON cannot hold, value by value", async () => {
    database.prepare("insert into t (id, k, b) values (1, 'x', ?)").run(Buffer.from([0, 1, 255]));
    insert(2, "y");
    for (let round = 0; round < 2; round++) {
      const { own, plain } = await both("select id, b from t order by id");
      expect(own).toStrictEqual(plain);
      expect(Buffer.isBuffer((own[0] as { b: unknown }).b)).toBe(true);
    }
  });

  it("bind parameters where the select has them", async () => {
    for (let i = 0; i < 20; i++) insert(i, `k${i}`);
    const query = "select id, k from t where id >= ? and k <> ? order by id desc limit ?";
    const { rows } = await readOwn(db, query, [5, "k7", 4]);
    expect(rows).toStrictEqual([
      { id: 19, k: "k19" },
      { id: 18, k: "k18" },
      { id: 17, k: "k17" },
      { id: 16, k: "k16" },
    ]);
  });

  it("run a statement that returns no rows as executeQuery does", async () => {
    const result = await readOwn(db, "insert into t (id, k) values (?, ?)", [5, "five"]);
    expect(result).toStrictEqual({ numAffectedRows: 1n, insertId: 5n, rows: [] });
  });

  it("answer inside a transaction, with what it has not committed", async () => {
    insert(1, "committed", 1);
    await db.transaction().execute(async (trx) => {
      await sql`insert into t (id, k, n) values (2, 'uncommitted', null)`.execute(trx);
      const query = "select id, k, n from t order by id";
      const { own, plain } = await both(query, trx);
      expect(own).toStrictEqual([
        { id: 1, k: "committed", n: 1 },
        { id: 2, k: "uncommitted", n: null },
      ]);
      expect(own).toStrictEqual(plain);
      expect(readAsJson(query)).toBe(true);
      expect(await readOwn(trx, "select k from t order by id desc")).toStrictEqual({
        rows: [{ k: "uncommitted" }, { k: "committed" }],
      });
    });
  });

  it("answer a read that saw an open group-commit batch once the batch is durable", async () => {
    const probe = new BetterSqlite3(file, { readonly: true });
    try {
      const write = db
        .transaction()
        .execute((trx) => sql`insert into t (id, k) values (1, 'batched')`.execute(trx));
      const rows = await readOwn<{ id: number; k: string }>(db, "select id, k from t");
      // Answered once the batch's COMMIT ran: another connection sees the row by then.
      expect(probe.prepare("select id, k from t").all()).toStrictEqual([{ id: 1, k: "batched" }]);
      expect(rows.rows).toStrictEqual([{ id: 1, k: "batched" }]);
      expect(readAsJson("select id, k from t")).toBe(true);
      await write;
    } finally {
      probe.close();
    }
  });

  it("go through Kysely's log and result plugins, as executeQuery does", async () => {
    const logged: string[] = [];
    const camel = db.withPlugin(new CamelCasePlugin());
    const observed = new Kysely<unknown>({
      dialect: new ImmediateSqliteDialect(database),
      log: (event) => {
        logged.push(event.query.sql);
      },
      plugins: [new CamelCasePlugin()],
    });
    insert(1, "x", 2);
    const query = "select id as user_id, k as first_name from t";
    const { own, plain } = await both(query, observed);
    expect(own).toStrictEqual([{ userId: 1, firstName: "x" }]);
    expect(own).toStrictEqual(plain);
    expect(logged).toStrictEqual([query, query]);
    expect((await both(query, camel)).own).toStrictEqual(own);
  });

  it("never read BigInts the JSON way: a database that reads them answers them", async () => {
    await db.destroy();
    open((d) => d.defaultSafeIntegers(true));
    database.prepare("insert into t (id, k, n) values (?, ?, ?)").run(1n, "big", 2n ** 53n + 1n);
    const query = "select id, k, n from t";
    const { own, plain } = await both(query);
    expect(own).toStrictEqual([{ id: 1n, k: "big", n: 9007199254740993n }]);
    expect(own).toStrictEqual(plain);
    expect(readAsJson(query)).toBe(false);
  });
});

describe("readOwnRows on Kysely's own SqliteDialect", () => {
  it("answers what executeQuery answers", async () => {
    insert(1, "one", 1);
    insert(2, null, null);
    const theirs = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    for (const query of ["select id, k, n from t order by id", "select k from t order by id"]) {
      const { own, plain } = await both(query, theirs);
      expect(own, query).toStrictEqual(plain);
      expect(own, query).toHaveLength(2);
    }
    await theirs.transaction().execute(async (trx) => {
      const { own, plain } = await both("select id, k from t order by id desc", trx);
      expect(own).toStrictEqual(plain);
    });
  });
});
