import { randomBytes } from "node:crypto";
import { createTeams, foldName } from "@teams/core";
import {
  admin,
  delegated,
  principal,
  runStoreConformance,
  type TeamsWithListValues as Teams,
  withListValues,
} from "@teams/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  noPostgres,
  openTestStore,
  TEST_URL,
  type TestStore,
  withClient,
  withDatabase,
} from "./support.js";

// Lists must come out in the order SQLite gives them: its BINARY collation compares bytes.
// PostgreSQL compares text by the database's collation instead: with ICU or en_US, "adam" sorts
// before "Zed". Text columns created as `text collate "C"` behave as SQLite does on any database.
// The name filter compares names the core folded (foldName, migration 6) with `like`, which on
// those columns compares code points whatever the database's collation.

async function openStore(url: string): Promise<TestStore> {
  return openTestStore({ url });
}

/** A database whose default collation is ICU's root locale, or why none could be made. */
async function createIcuDatabase(): Promise<{ url: string; name: string } | { skip: string }> {
  if (noPostgres) return { skip: "no PostgreSQL" };
  const name = `teams_test_icu_${randomBytes(4).toString("hex")}`;
  try {
    await withClient((c) =>
      c.query(
        `create database ${name} template template0 encoding 'UTF8' locale 'C.UTF-8' locale_provider icu icu_locale 'und'`,
      ),
    );
    return { url: withDatabase(TEST_URL, name), name };
  } catch (error) {
    return { skip: `cannot create an ICU database: ${(error as Error).message}` };
  }
}

const icu = await createIcuDatabase();
if ("skip" in icu && !noPostgres) console.log(`ICU collation tests skipped: ${icu.skip}`);
afterAll(async () => {
  if ("name" in icu) {
    await withClient((c) => c.query(`drop database if exists ${icu.name} with (force)`));
  }
});

const databases = [
  { name: "the test database", url: TEST_URL, skip: noPostgres },
  { name: "an ICU 'und' database", url: "url" in icu ? icu.url : "", skip: "skip" in icu },
];

/** Byte order of UTF-8, as SQLite's BINARY collation compares. */
const binary = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byNameThenId =
  <T>(key: (x: T) => [string, string]) =>
  (a: T, b: T) => {
    const [an, ai] = key(a);
    const [bn, bi] = key(b);
    return binary(an, bn) || binary(ai, bi);
  };

const TEAMS: [string, string][] = [
  ["t-adam", "adam"],
  ["t-zed", "Zed"],
  ["t-eve", "eve"],
  ["t-emile", "Émile"],
  ["same-a", "Same"],
  ["Same-b", "Same"],
];
const USERS: [string, string, string | null][] = [
  ["u-adam", "adam", null],
  ["u-zed", "Zed", null],
  ["u-eve", "eve", null],
  ["u-emile", "Émile", "Zola"],
  ["u-emile2", "émile", "Blanc"],
  ["twin-a", "Twin", null],
  ["Twin-b", "Twin", null],
];
const displayName = ([, first, last]: (typeof USERS)[number]) =>
  [first, last].filter(Boolean).join(" ");

async function seed(teams: Teams) {
  await teams.adminPutUser(admin, "coach", { first_name: "Cora", last_name: "Coach" });
  for (const [id, name] of TEAMS) {
    await teams.adminPutTeam(admin, id, {
      name,
      description: "",
      url: "https://team.example/",
      image: "https://team.example/logo.png",
      privacy_statement: "https://team.example/privacy",
    });
    await teams.adminPutMember(admin, id, "coach", { role: "owner" });
  }
  for (const [id, first_name, last_name] of USERS) {
    await teams.adminPutUser(admin, id, { first_name, last_name, manager_id: "coach" });
    await teams.authorizeTeam(delegated(id, "coach"), "t-adam", { scopes: ["data:read"] });
  }
}

/** The parity checks, each as a store conformance suite would state it. */
const checks = {
  "orders teams and users by bytes (SQLite BINARY), then id": async (teams: Teams) => {
    const coach = principal("coach");
    expect((await teams.listTeams(coach)).map((t) => t.id)).toEqual(
      [...TEAMS].sort(byNameThenId(([id, name]) => [name, id])).map(([id]) => id),
    );
    expect((await teams.listTeamUsers(coach, "t-adam")).map((u) => u.id)).toEqual(
      [...USERS].sort(byNameThenId((u) => [displayName(u), u[0]])).map(([id]) => id),
    );
    expect((await teams.listMembers(coach, "t-adam")).map((m) => m.id)).toEqual(["coach"]);
  },
  "filters names by their folded forms (foldName), as SQLite does": async (teams: Teams) => {
    const coach = principal("coach");
    for (const needle of ["émile", "ÉMILE", "E\u0301MILE", "emile", "ZOLA", "TWIN", "zed"]) {
      const expected = USERS.filter((u) => foldName(displayName(u)).includes(foldName(needle)))
        .sort(byNameThenId((u) => [displayName(u), u[0]]))
        .map(([id]) => id);
      const found = await teams.listTeamUsers(coach, "t-adam", { name: needle });
      expect(
        found.map((u) => u.id),
        needle,
      ).toEqual(expected);
    }
  },
};

for (const database of databases) {
  describe.skipIf(database.skip)(`collation parity with SQLite on ${database.name}`, () => {
    it("reports the database's collation", async () => {
      const [row] = await withClient(async (c) => {
        const { rows } = await c.query(
          "select datcollate, datlocprovider, daticulocale from pg_database where datname = current_database()",
        );
        return rows;
      }, database.url);
      console.log(`${database.name}: ${JSON.stringify(row)}`);
      expect(row).toBeDefined();
    });
    for (const [name, check] of Object.entries(checks)) {
      it(name, async () => {
        const store = await openStore(database.url);
        try {
          const teams = withListValues(createTeams(store));
          await seed(teams);
          await check(teams);
        } finally {
          await store.close();
        }
      });
    }
  });
}

// The whole conformance suite on a database whose default collation is not C.
describe.skipIf("skip" in icu)("ICU database", () => {
  runStoreConformance({
    name: "postgres, ICU database, text collate C",
    open: () => openStore("url" in icu ? icu.url : ""),
  });
});
