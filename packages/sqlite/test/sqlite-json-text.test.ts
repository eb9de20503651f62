import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { sqliteJsonObject } from "../src/sqlite-json-text.js";

// The JSON text SQLite builds for the core must be byte for byte what JSON.stringify writes for the
// same object, on the values that are hardest to get right.

interface Row {
  id: number;
  text: string | null;
  scopes: string;
  manager: unknown;
}

const database = new BetterSqlite3(":memory:");
const db = new Kysely<{ t: Row }>({ dialect: new ImmediateSqliteDialect(database) });

const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join("");
const texts: (string | null)[] = [
  null,
  "",
  "plain",
  'quote " and \\ backslash \\" both',
  `every control: ${controls}`,
  "\u007f delete, \u0080 and \u009f (C1), \u00a0 no-break",
  "\u2028 line and \u2029 paragraph separators",
  "emoji 😀, 𝒜 and 🏳️‍🌈 (non-BMP and joiners)",
  "Åsa Ødegård, Ελληνικά, 日本語, עברית",
  "</script><!-- & ' `",
  "a lone surrogate \ud800 becomes U+FFFD",
  "null",
  '{"not":"json"}',
  "trailing backslash \\",
];
const scopeSets = ["data:read", "data:read data:write profile", "profile", ""];
const managers: unknown[] = [null, "boss", "", 0];

beforeAll(async () => {
  await sql`create table t (id integer primary key, text text, scopes text not null, manager)`.execute(
    db,
  );
  const insert = database.prepare("insert into t (id, text, scopes, manager) values (?, ?, ?, ?)");
  texts.forEach((text, i) => {
    insert.run(i, text, scopeSets[i % scopeSets.length], managers[i % managers.length]);
  });
});
afterAll(() => db.destroy());

describe("sqliteJsonObject", () => {
  it("writes what JSON.stringify writes, for every awkward value", async () => {
    const rows = await db
      .selectFrom("t")
      .select((eb) => [
        "id",
        "text",
        "scopes",
        "manager",
        sqliteJsonObject([
          { key: "id", text: eb.cast<string>("id", "text") },
          { key: "text", text: eb.ref("text") },
          { key: "scopes", scopes: eb.ref("scopes") },
          { key: "is_managed", present: eb.ref("manager") },
          { key: "again", text: eb.ref("text") },
        ]).as("json"),
      ])
      .orderBy("id")
      .execute();
    expect(rows).toHaveLength(texts.length);
    for (const row of rows) {
      const expected = JSON.stringify({
        id: String(row.id),
        text: row.text,
        scopes: row.scopes === "" ? [] : row.scopes.split(" "),
        is_managed: row.manager !== null,
        again: row.text,
      });
      expect(row.json, JSON.stringify(row.text)).toBe(expected);
    }
    // The values reached SQLite as written (the lone surrogate aside, which UTF-8 cannot hold).
    expect(rows.map((r) => r.text).slice(0, 10)).toEqual(texts.slice(0, 10));
  });

  it("writes an empty scope set as [] and an empty object for no fields", async () => {
    const { rows } = await sql<{ scopes: string; none: string }>`select ${sqliteJsonObject([
      { key: "scopes", scopes: sql<string>`''` },
    ])} as scopes, ${sqliteJsonObject([])} as none`.execute(db);
    expect(rows).toEqual([{ scopes: '{"scopes":[]}', none: "{}" }]);
  });
});
