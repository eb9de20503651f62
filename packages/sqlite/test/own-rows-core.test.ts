import { applyMigrations, createTeams, type Database } from "@teams/core";
import { principal, seedWorld } from "@teams/core/testing";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";

// Every select the core runs, read through readOwnRows, answers what executeQuery answers: the
// core's own rows (text, integers, NULL, the JSON text of list lines), ordered or empty, in and
// outside a transaction.

const database = new BetterSqlite3(":memory:");
const captured: CompiledQuery[] = [];
/** The statements prepared as one JSON text of rows: readOwnRows took the fast way. */
const jsonRows: string[] = [];
const prepare = database.prepare.bind(database);
database.prepare = ((source: string) => {
  if (source.startsWith("with rows(")) jsonRows.push(source);
  return prepare(source);
}) as typeof database.prepare;
const db = new Kysely<Database>({
  dialect: new ImmediateSqliteDialect(database),
  log(event) {
    // Only the reads: replaying them changes nothing. (A test's choice, not the store's.)
    if (/^select\b/i.test(event.query.sql)) captured.push(event.query);
  },
});

beforeAll(async () => {
  await db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind));
  const teams = createTeams({ db, kind: sqliteStoreKind });
  await seedWorld(teams);
  const coach = principal("coach");
  await teams.listTeams(coach);
  await teams.listTeamUsers(coach, "club");
  await teams.listTeamUsers(coach, "club", { name: "an" });
  await teams.listTeamUsers(coach, "club", { name: "nobody at all" });
  await teams.listTeamUsers(coach, "club", { limit: 1 });
  await teams.listAuthorizedTeams(principal("ann"));
  await teams.listAuthorizedTeams(principal("ann"), { limit: 1 }, { times: true });
  await teams.listMembers(coach, "club", { limit: 1 });
  await teams.listAuthorizedTeams(principal("carl"));
});
afterAll(() => db.destroy());

/** Each distinct statement the core ran (by SQL and parameters), once. */
function distinct(): CompiledQuery[] {
  const seen = new Map<string, CompiledQuery>();
  for (const q of captured) seen.set(JSON.stringify([q.sql, q.parameters]), q);
  return [...seen.values()];
}

const replay = (q: CompiledQuery) => CompiledQuery.raw(q.sql, [...q.parameters]);

describe("readOwnRows on the core's own selects", () => {
  it("answers what executeQuery answers, outside a transaction", async () => {
    const queries = distinct();
    expect(queries.length).toBeGreaterThan(10);
    let empty = 0;
    for (const q of queries) {
      const own = await sqliteStoreKind.readOwnRows(db, replay(q));
      const plain = await db.executeQuery(replay(q));
      expect(own.rows, q.sql).toStrictEqual(plain.rows);
      if (own.rows.length === 0) empty++;
    }
    expect(empty).toBeGreaterThan(0);
    expect(jsonRows.length).toBeGreaterThan(0);
  });

  it("answers what executeQuery answers, inside a transaction", async () => {
    await db.transaction().execute(async (trx) => {
      for (const q of distinct()) {
        const own = await sqliteStoreKind.readOwnRows(trx, replay(q));
        const plain = await trx.executeQuery(replay(q));
        expect(own.rows, q.sql).toStrictEqual(plain.rows);
      }
    });
  });
});
