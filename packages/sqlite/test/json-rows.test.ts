import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";

// The connection reads a select's rows as one JSON text (sqlite-connection.ts). Whatever a select
// holds, the rows must be exactly those better-sqlite3 reads value by value, in the same order.

let dir: string;
let db: Kysely<unknown>;
let plain: BetterSqlite3.Database;
/** Every statement the driver prepared, to see that it took the JSON way. */
let prepared: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "teams-json-rows-"));
  const file = join(dir, "rows.db");
  const database = new BetterSqlite3(file);
  prepared = [];
  const prepare = database.prepare.bind(database);
  database.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof database.prepare;
  db = new Kysely({ dialect: new ImmediateSqliteDialect(database) });
  await sql`create table t (id integer primary key, k text, n integer, r real, b blob)`.execute(db);
  plain = new BetterSqlite3(file);
});
afterEach(async () => {
  plain.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** What the driver answers, and what better-sqlite3 answers on a connection of its own. */
async function both(query: string) {
  const { rows } = await sql.raw(query).execute(db);
  return { driver: rows, direct: plain.prepare(query).all() };
}

const readAsJson = (query: string) =>
  prepared.some((s) => s.startsWith("with rows(") && s.includes(query));

describe("selects read through JSON", () => {
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
    const reals = [0.1 + 0.2, 1e-300, -2.5, 1.7976931348623157e308, 5e-324, 2.0, -0.0];
    const insertRow = plain.prepare("insert into t (k, n, r) values (?, ?, ?)");
    for (let i = 0; i < texts.length; i++) {
      insertRow.run(texts[i], numbers[i % numbers.length], reals[i % reals.length]);
    }
    insertRow.run(null, null, null);
    const { driver, direct } = await both("select id, k, n, r from t order by id");
    expect(driver).toEqual(direct);
    expect(driver).toHaveLength(texts.length + 1);
    expect(driver.map((r) => (r as { k: unknown }).k)).toEqual([...texts, null]);
    expect(readAsJson("select id, k, n, r from t order by id")).toBe(true);
  });

  it("keep the select's order, with and without LIMIT, over joins and expressions", async () => {
    const insertRow = plain.prepare("insert into t (id, k, n) values (?, ?, ?)");
    // Inserted in an order unlike any the selects ask for.
    for (let i = 0; i < 300; i++) insertRow.run((i * 7919) % 1000, `key ${(i * 31) % 97}`, i % 5);
    for (const query of [
      "select k, id from t order by k desc, id",
      "select k, id from t order by n, k, id desc limit 120",
      "select k, id from t where n > 1 order by k, id limit 50 offset 30",
      "select a.id, b.id as id, a.k || b.k as both, a.n is not null as has_n from t a join t b on b.n = a.n where a.id < 40 order by b.k desc, a.id, b.id",
      "select n, count(*) as c, group_concat(k) as ks from t group by n order by c desc, n",
    ]) {
      const { driver, direct } = await both(query);
      expect(driver, query).toEqual(direct);
      expect(driver.length, query).toBeGreaterThan(0);
      expect(readAsJson(query), query).toBe(true);
    }
  });

  it("read a select of one column value by value, in order (JSON would only escape it)", async () => {
    const insertRow = plain.prepare("insert into t (id, k) values (?, ?)");
    for (let i = 0; i < 50; i++) insertRow.run(i, `{"line": ${(i * 37) % 50}, "q": "\\""}`);
    const query = "select k from t order by k desc";
    const { driver, direct } = await both(query);
    expect(driver).toEqual(direct);
    expect(driver).toHaveLength(50);
    expect(readAsJson(query)).toBe(false);
  });

  it("hand over JSON a select builds as its text, not as what it holds", async () => {
    plain.prepare("insert into t (id, k) values (1, 'x')").run();
    const query = "select id, json_object('k', k, 'n', json('[1,2]')) as line from t";
    const { driver, direct } = await both(query);
    expect(driver).toEqual(direct);
    expect(driver).toEqual([{ id: 1, line: '{"k":"x","n":[1,2]}' }]);
  });

  it("name duplicate columns as better-sqlite3 does (the later one wins)", async () => {
    plain.prepare("insert into t (id, k, n) values (1, 'one', 10)").run();
    const { driver, direct } = await both("select id as x, k as x, n from t");
    expect(driver).toEqual([{ x: "one", n: 10 }]);
    expect(driver).toEqual(direct);
  });

  it("answer an empty list for no rows", async () => {
    const { driver } = await both("select id from t where id < 0");
    expect(driver).toEqual([]);
  });

  it("read BLOBs, which JSON cannot hold, value by value as before", async () => {
    plain.prepare("insert into t (id, k, b) values (1, 'x', ?)").run(Buffer.from([0, 1, 2, 255]));
    plain.prepare("insert into t (id, k, b) values (2, 'y', NULL)").run();
    for (let round = 0; round < 2; round++) {
      const { driver, direct } = await both("select id, b from t order by id");
      expect(driver).toEqual(direct);
      expect(Buffer.isBuffer((driver[0] as { b: unknown }).b)).toBe(true);
    }
  });

  it("bind parameters where the select has them", async () => {
    const insertRow = plain.prepare("insert into t (id, k) values (?, ?)");
    for (let i = 0; i < 20; i++) insertRow.run(i, `k${i}`);
    const { rows } =
      await sql`select id, k from t where id >= ${5} and k <> ${"k7"} order by id desc limit ${4}`.execute(
        db,
      );
    expect(rows).toEqual([
      { id: 19, k: "k19" },
      { id: 18, k: "k18" },
      { id: 17, k: "k17" },
      { id: 16, k: "k16" },
    ]);
  });
});
