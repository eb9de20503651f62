import { applyMigrations, createTeams, type Database, type Teams } from "@teams/core";
import { admin, delegated, principal, seedWorld, teamBody } from "@teams/core/testing";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImmediateSqliteDialect } from "../src/sqlite-dialect.js";
import { applyPragmas } from "../src/sqlite-pragmas.js";
import { sqliteStoreKind } from "../src/sqlite-store-kind.js";

// Every statement the core runs for a use case must read through an index: no table scan (a
// "SCAN" of a table, with or without an index, reads all of it) and no sort in a temporary B-tree
// (lists come in index order). A team of 100,000 users then costs a page what a team of 50 does.

interface Captured {
  sql: string;
  parameters: readonly unknown[];
}

const database = new BetterSqlite3(":memory:");
let captured: Captured[] = [];
const db = new Kysely<Database>({
  dialect: new ImmediateSqliteDialect(database),
  log(event) {
    captured.push({ sql: event.query.sql, parameters: event.query.parameters });
  },
});
let teams: Teams;

/** The statements `run` made, without transaction control. */
async function statementsOf(run: () => Promise<unknown>): Promise<Captured[]> {
  captured = [];
  await run();
  return captured.filter((c) => !/^(begin|commit|rollback|savepoint|release)\b/i.test(c.sql));
}

function planOf(statement: Captured): string[] {
  const rows = database
    .prepare(`explain query plan ${statement.sql}`)
    .all(...(statement.parameters as unknown[])) as { detail: string }[];
  return rows.map((r) => r.detail);
}

/** Plan lines that read a whole table or sort: what no statement of the core may do. */
function offending(plan: readonly string[]): string[] {
  return plan.filter((line) => /^SCAN (?!CONSTANT ROW)/.test(line) || /TEMP B-TREE/.test(line));
}

const coach = principal("coach");
const annByCoach = delegated("ann", "coach");

// Each use case with arguments that take it past its checks to its reads and writes.
const useCases: [string, () => Promise<unknown>][] = [
  ["ensureUser (new)", () => teams.ensureUser({ id: "newcomer" })],
  ["ensureUser (known)", () => teams.ensureUser({ id: "coach" })],
  ["listTeams", () => teams.listTeams(coach)],
  [
    "listTeams page after",
    async () => {
      const first = await teams.listTeams(coach, { limit: 1 });
      return teams.listTeams(coach, { limit: 1, cursor: first.next_cursor ?? "" });
    },
  ],
  ["listAuthorizedTeams", () => teams.listAuthorizedTeams(principal("ann"))],
  [
    "listAuthorizedTeams first page",
    () => teams.listAuthorizedTeams(principal("ann"), { limit: 1 }),
  ],
  [
    "listAuthorizedTeams page after",
    async () => {
      const first = await teams.listAuthorizedTeams(principal("ann"), { limit: 1 });
      return teams.listAuthorizedTeams(principal("ann"), {
        limit: 1,
        cursor: first.next_cursor ?? "",
      });
    },
  ],
  ["authorizeTeam", () => teams.authorizeTeam(annByCoach, "other", { scopes: ["data:read"] })],
  ["revokeTeam", () => teams.revokeTeam(annByCoach, "other")],
  ["consentToTeam", () => teams.consentToTeam(principal("carl"), "club", { scopes: ["profile"] })],
  ["withdrawConsent", () => teams.withdrawConsent(principal("carl"), "club")],
  ["getTeamForConsent", () => teams.getTeamForConsent(principal("carl"), "club")],
  [
    "listAuthorizedTeams with times",
    () => teams.listAuthorizedTeams(principal("ann"), {}, { times: true }),
  ],
  ["listTeamHistory", () => teams.listTeamHistory(coach, "club")],
  [
    "listTeamHistory page after",
    async () => {
      const first = await teams.listTeamHistory(coach, "club", { limit: 1 });
      return teams.listTeamHistory(coach, "club", { limit: 1, cursor: first.next_cursor ?? "" });
    },
  ],
  ["listAuthorizationHistory", () => teams.listAuthorizationHistory(principal("carl"))],
  [
    "listAuthorizationHistory of a managed user, a page",
    () => teams.listAuthorizationHistory(coach, { user_id: "ann", limit: 1 }),
  ],
  ["listTeamUsers", () => teams.listTeamUsers(coach, "club")],
  ["listTeamUsers by name", () => teams.listTeamUsers(coach, "club", { name: "an" })],
  ["listTeamUsers first page", () => teams.listTeamUsers(coach, "club", { limit: 1 })],
  [
    "listTeamUsers page after, by name",
    async () => {
      const first = await teams.listTeamUsers(coach, "club", { limit: 1, name: "a" });
      return teams.listTeamUsers(coach, "club", {
        limit: 1,
        name: "a",
        cursor: first.next_cursor ?? "",
      });
    },
  ],
  ["getTeamUser", () => teams.getTeamUser(coach, "club", "ann")],
  ["createTeam", () => teams.createTeam(coach, teamBody("Fresh"))],
  ["getTeam", () => teams.getTeam(principal("ann"), "club")],
  ["updateTeam", () => teams.updateTeam(coach, "club", { name: "Club Renamed" })],
  ["listMembers", () => teams.listMembers(coach, "club")],
  [
    "listMembers page after",
    async () => {
      const first = await teams.listMembers(coach, "club", { limit: 1 });
      return teams.listMembers(coach, "club", { limit: 1, cursor: first.next_cursor ?? "" });
    },
  ],
  ["putMember", () => teams.putMember(coach, "club", "carl", { role: "member" })],
  ["removeMember", () => teams.removeMember(coach, "club", "carl")],
  ["createManagedUser", () => teams.createManagedUser(coach, { first_name: "New" })],
  ["listUsers", () => teams.listUsers(coach)],
  [
    "canAccess",
    () => teams.canAccess(principal("assistant"), { userId: "ann", scope: "data:read" }),
  ],
  [
    "adminPutUser",
    () => teams.adminPutUser(admin, "ben", { first_name: "Benny", manager_id: "coach" }),
  ],
  ["adminPutTeam", () => teams.adminPutTeam(admin, "other", teamBody("Another"))],
  ["adminPutMember", () => teams.adminPutMember(admin, "other", "carl", { role: "member" })],
  ["adminDeleteMember", () => teams.adminDeleteMember(admin, "other", "carl")],
  ["adminDeleteUser", () => teams.adminDeleteUser(admin, "ben")],
  // Ben was deleted just now: a token issued after it re-creates him, reading the deletion.
  [
    "ensureUser (deleted, newer token)",
    () => teams.ensureUser({ id: "ben", iat: Math.floor(Date.now() / 1000) + 30 }),
  ],
  ["deleteTeam", () => teams.deleteTeam(coach, "club")],
  ["adminDeleteTeam", () => teams.adminDeleteTeam(admin, "other")],
];

describe("query plans of every use case on SQLite", () => {
  beforeAll(async () => {
    applyPragmas(database, 1000);
    await db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind));
    teams = createTeams({ db, kind: sqliteStoreKind });
    await seedWorld(teams);
    // Enough rows that a scan and a search would differ, and every list has something to order.
    for (let i = 0; i < 20; i++) {
      await teams.adminPutUser(admin, `athlete-${i}`, {
        first_name: `Athlete ${20 - i}`,
        manager_id: "coach",
      });
      await teams.adminPutTeam(admin, `team-${i}`, teamBody(`Team ${20 - i}`));
      await teams.adminPutMember(admin, `team-${i}`, "coach", { role: "owner" });
      await teams.authorizeTeam(delegated(`athlete-${i}`, "coach"), "club", {
        scopes: ["data:read"],
      });
      await teams.authorizeTeam(delegated("ann", "coach"), `team-${i}`, { scopes: ["data:read"] });
    }
    await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
  });
  afterAll(() => db.destroy());

  it("a user's teams are read from the teams' covering index, with no table lookup", async () => {
    for (const run of [
      () => teams.listAuthorizedTeams(principal("ann")),
      () => teams.listAuthorizedTeams(principal("ann"), { limit: 1 }),
    ]) {
      const [list] = (await statementsOf(run)).filter((s) => /"authorizations"/.test(s.sql));
      expect(list && planOf(list)).toContainEqual(
        expect.stringMatching(/COVERING INDEX teams_list_idx/),
      );
    }
  });

  it("ensureUser of a known user is one read of its row, and never reads the deletions", async () => {
    const statements = await statementsOf(() => teams.ensureUser({ id: "coach", iat: 1 }));
    expect(statements.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^select .* from "users"/),
    ]);
  });

  for (const [name, run] of useCases) {
    it(`${name}: every statement searches an index, and nothing is sorted`, async () => {
      const statements = await statementsOf(run);
      expect(statements.length, "the use case ran no statement").toBeGreaterThan(0);
      for (const statement of statements) {
        const plan = planOf(statement);
        if (process.env.DUMP_PLANS)
          console.log(`${name}\n${statement.sql}\n  ${plan.join("\n  ")}`);
        expect(offending(plan), `${statement.sql}\n${plan.join("\n")}`).toEqual([]);
      }
    });
  }
});
