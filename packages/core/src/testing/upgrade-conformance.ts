import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { displayName } from "../display-name.js";
import { applyMigrations, LATEST_SCHEMA_VERSION, readSchemaVersion } from "../migrations.js";
import { createTeams } from "../teams.js";
import { admin, delegated, principal } from "./fixtures.js";
import { expectListLinesFresh } from "./list-line-check.js";
import { withListValues } from "./list-values.js";
import type { StoreUnderTest } from "./store-under-test.js";

export interface UpgradeConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** Opens a new store with no schema at all (not migrated); called once per test. */
  open(): Promise<StoreUnderTest>;
}

/**
 * Registers the upgrade suite: a database left at schema version 2 by an earlier release, with
 * data in it, migrated to the latest version, answers every list as it did, and keeps answering
 * right after later writes.
 */
export function runUpgradeConformance(options: UpgradeConformanceOptions): void {
  describe(`upgrade from schema version 2: ${options.name}`, () => {
    it("keeps every authorization and answers the team's users as the release before did", async () => {
      const store = await options.open();
      try {
        const { db } = store;
        await db.transaction().execute((trx) => applyMigrations(trx, store.kind, 2));
        expect(await readSchemaVersion(db)).toBe(2);
        // Rows as release 2 wrote them: the user's columns copied into each authorization.
        const now = "2026-01-01T00:00:00.000Z";
        await sql`insert into users (id, first_name, last_name, manager_id, created_at) values
          ('coach', 'Cora', 'Coach', null, ${now}),
          ('ann', 'Ann', 'Ó''Brien "the" \\ Åsa', 'coach', ${now}),
          ('bob', null, null, 'coach', ${now}),
          ('carl', 'Carl', null, null, ${now})`.execute(db);
        await sql`insert into teams (id, name, description, url, image, privacy_statement, created_at)
          values ('club', 'Club', '', 'https://c.example/', 'https://c.example/i.png',
          'https://c.example/p', ${now})`.execute(db);
        await sql`insert into memberships (team_id, user_id, role, team_name, user_display_name)
          values ('club', 'coach', 'owner', 'Club', 'Cora Coach')`.execute(db);
        await sql`insert into authorizations (user_id, team_id, scopes, granted_at, updated_at,
            team_name, user_display_name, user_first_name, user_last_name, user_manager_id)
          select u.id, 'club', ${"data:read profile"}, ${now}, ${now}, 'Club', u.display_name,
            u.first_name, u.last_name, u.manager_id
          from users u where u.id <> 'coach'`.execute(db);

        await db.transaction().execute((trx) => applyMigrations(trx, store.kind));
        expect(await readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);

        const teams = withListValues(
          createTeams({ db, kind: store.kind, clock: () => new Date(now) }),
        );
        const coach = principal("coach");
        const scopes = ["data:read", "profile"];
        expect(await teams.listTeamUsers(coach, "club")).toEqual([
          {
            id: "ann",
            first_name: "Ann",
            last_name: 'Ó\'Brien "the" \\ Åsa',
            scopes,
            display_name: 'Ann Ó\'Brien "the" \\ Åsa',
            is_managed: true,
          },
          // Ordered by display name as the store orders text: "Carl" before "bob".
          {
            id: "carl",
            first_name: "Carl",
            last_name: null,
            scopes,
            display_name: "Carl",
            is_managed: false,
          },
          {
            id: "bob",
            first_name: null,
            last_name: null,
            scopes,
            display_name: "bob",
            is_managed: true,
          },
        ]);
        const page = await teams.listTeamUsersPage(coach, "club", { limit: 2 });
        expect(page.items.map((u) => u.id)).toEqual(["ann", "carl"]);
        // Later writes keep the lines true: a rename, and a new scope set.
        await teams.adminPutUser(admin, "carl", { first_name: "Karl", last_name: "Z" });
        await teams.authorizeTeam(delegated("bob", "coach"), "club", {
          scopes: ["data:write"],
        });
        const after = await teams.listTeamUsers(coach, "club");
        expect(after.map((u) => [u.id, u.display_name, u.scopes])).toEqual([
          ["ann", 'Ann Ó\'Brien "the" \\ Åsa', scopes],
          ["carl", "Karl Z", scopes],
          ["bob", "bob", ["data:write"]],
        ]);
        // Every store writes the lines as JSON.stringify would: compact, the same escapes.
        await teams.adminPutUser(admin, "ann", {
          first_name: "Ann\n\t\u0001\u001f\u007f",
          last_name: '😀 "q" \\ </script> Åsa',
          manager_id: "coach",
        });
        const lines = await db
          .selectFrom("authorizations")
          .select("user_summary")
          .orderBy("user_id")
          .execute();
        expect(lines).toHaveLength(3);
        for (const { user_summary } of lines) {
          expect(user_summary).toBe(JSON.stringify(JSON.parse(user_summary)));
        }
        expect(JSON.parse(lines[0]?.user_summary ?? "")).toEqual({
          id: "ann",
          first_name: "Ann\n\t\u0001\u001f\u007f",
          last_name: '😀 "q" \\ </script> Åsa',
          scopes,
          display_name: 'Ann\n\t\u0001\u001f\u007f 😀 "q" \\ </script> Åsa',
          is_managed: true,
        });
      } finally {
        await store.close();
      }
    });
  });

  describe(`upgrade from schema version 5: ${options.name}`, () => {
    it("folds the names earlier releases stored, so the name filter finds them (migration 6)", async () => {
      const store = await options.open();
      try {
        const { db } = store;
        await db.transaction().execute((trx) => applyMigrations(trx, store.kind, 5));
        const now = "2026-01-01T00:00:00.000Z";
        // More users than the migration folds in one batch, with names of several scripts.
        const many = Array.from({ length: 1234 }, (_, i) => [
          `u${String(i).padStart(4, "0")}`,
          ["Ünal", "ΣΟΦΙΑ", "ᏣᎳᎩ", "Ｍａｘ", "Jo"][i % 5] as string,
          i % 7 === 0 ? null : `Groß ${i}`,
        ]);
        const named: [string, string | null, string | null][] = [
          ["coach", "Cora", "Coach"],
          ["emile", "Émile", "Zola"],
          ["strauss", "Johann", "Strauß"],
          ["nameless", null, null],
          ...(many as [string, string, string | null][]),
        ];
        await sql`insert into users (id, first_name, last_name, manager_id, created_at) values ${sql.join(
          named.map(([id, first, last]) => sql`(${id}, ${first}, ${last}, null, ${now})`),
        )}`.execute(db);
        await sql`insert into teams (id, name, description, url, image, privacy_statement, created_at)
          values ('club', 'Club', '', 'https://c.example/', 'https://c.example/i.png',
          'https://c.example/p', ${now})`.execute(db);
        await sql`insert into memberships (team_id, user_id, role, team_name, user_display_name)
          values ('club', 'coach', 'owner', 'Club', 'Cora Coach')`.execute(db);
        // Release 5's authorizations: the copied display name and the list's line, no folded name.
        for (const [id, first, last] of named.slice(1, 4)) {
          const display = displayName({ id, first_name: first, last_name: last });
          const line = JSON.stringify({
            id,
            first_name: first,
            last_name: last,
            scopes: ["profile"],
            display_name: display,
            is_managed: false,
          });
          await sql`insert into authorizations (user_id, team_id, scopes, granted_at, updated_at,
              team_name, user_display_name, user_summary)
            values (${id}, 'club', 'profile', ${now}, ${now}, 'Club', ${display}, ${line})`.execute(
            db,
          );
        }

        await db.transaction().execute((trx) => applyMigrations(trx, store.kind));
        expect(await readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
        // Every user's folded name, and every authorization's copy of it, as the core writes them.
        await expectListLinesFresh(store, "migration 6");

        const teams = withListValues(
          createTeams({ db, kind: store.kind, clock: () => new Date(now) }),
        );
        const filter = async (name: string) =>
          (await teams.listTeamUsers(principal("coach"), "club", { name })).map((u) => u.id);
        expect(await filter("émile")).toEqual(["emile"]);
        expect(await filter("STRAUSS")).toEqual(["strauss"]);
        expect(await filter("NAMELESS")).toEqual(["nameless"]);
        expect(await filter("emile")).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });

  describe(`upgrade from schema version 4: ${options.name}`, () => {
    it("answers the links earlier releases stored as typed normalised (migration 5)", async () => {
      const store = await options.open();
      try {
        const { db } = store;
        await db.transaction().execute((trx) => applyMigrations(trx, store.kind, 4));
        const now = "2026-01-01T00:00:00.000Z";
        await sql`insert into users (id, first_name, last_name, manager_id, created_at) values
          ('coach', 'Cora', 'Coach', null, ${now})`.execute(db);
        await sql`insert into teams (id, name, description, url, image, privacy_statement, created_at)
          values
          ('typed', 'Typed', '', ' https://a..b/', 'HTTPS://例え.テスト/i|j.png',
            'https://coach:secret@c.example', ${now}),
          ('clean', 'Clean', '', 'https://c.example/', 'https://c.example/i.png',
            'https://c.example/p', ${now}),
          ('odd', 'Odd', '', 'not a link', 'ftp://c.example/', 'https://c.example/p', ${now})`.execute(
          db,
        );
        await sql`insert into memberships (team_id, user_id, role, team_name, user_display_name)
          values ('typed', 'coach', 'owner', 'Typed', 'Cora Coach'),
            ('clean', 'coach', 'owner', 'Clean', 'Cora Coach'),
            ('odd', 'coach', 'owner', 'Odd', 'Cora Coach')`.execute(db);

        await db.transaction().execute((trx) => applyMigrations(trx, store.kind));
        expect(await readSchemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);

        const teams = createTeams({ db, kind: store.kind, clock: () => new Date(now) });
        const links = (await teams.listTeams(principal("coach"))).items.map((t) => [
          t.id,
          t.url,
          t.image,
          t.privacy_statement,
        ]);
        expect(links).toEqual([
          ["clean", "https://c.example/", "https://c.example/i.png", "https://c.example/p"],
          // Unchanged: no release accepted these, so they were written by hand (see migration 5).
          ["odd", "not a link", "ftp://c.example/", "https://c.example/p"],
          [
            "typed",
            "https://a..b/",
            "https://xn--r8jz45g.xn--zckzah/i%7Cj.png",
            "https://c.example/",
          ],
        ]);
      } finally {
        await store.close();
      }
    });
  });
}
