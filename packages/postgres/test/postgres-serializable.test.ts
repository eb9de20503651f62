import {
  createTeams,
  type Database,
  NotAuthenticated,
  NotFound,
  type Teams,
  TeamsError,
} from "@teams/core";
import { admin, delegated, principal, seedWorld } from "@teams/core/testing";
import { Kysely, type PostgresPool } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postgresStoreKind, TranslatingPostgresDialect } from "../src/index.js";
import { noPostgres, openTestStore, TEST_URL, type TestStore } from "./support.js";

// What a foreign-key violation inside a core write means on PostgreSQL: the core checks that the
// team exists, then upserts the authorization, in one SERIALIZABLE transaction. A delete that
// commits in between must surface as a serialization failure (40001), which the core retries.

/** Statement hooks for one instance of the core: each runs once, the first time its SQL matches. */
interface Hook {
  when: "before" | "after";
  match: RegExp;
  run: () => Promise<unknown>;
  fired?: boolean;
}

/** A core over its own pool whose statements can be paused to let another writer in. */
function hookedTeams(schema: string, hooks: Hook[], statements: string[]) {
  const pool = new pg.Pool({ connectionString: TEST_URL, max: 1 });
  const fire = async (when: Hook["when"], text: string) => {
    for (const hook of hooks) {
      if (hook.when === when && !hook.fired && hook.match.test(text)) {
        hook.fired = true;
        await hook.run();
      }
    }
  };
  const hookedPool: PostgresPool = {
    async connect() {
      const client = await pool.connect();
      await client.query(`set search_path to ${pg.escapeIdentifier(schema)}`);
      const query = async (text: string, parameters: unknown[]) => {
        statements.push(text);
        await fire("before", text);
        const result = await client.query(text, parameters);
        await fire("after", text);
        return result;
      };
      return { query, release: (destroy?: boolean) => client.release(destroy) } as never;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({
    dialect: new TranslatingPostgresDialect({ pool: hookedPool }),
  });
  return {
    teams: createTeams({ db, kind: postgresStoreKind }),
    async close() {
      await db.destroy();
      // A hook that never ran means the race this test is about did not happen.
      expect(hooks.map((h) => h.fired ?? false)).toEqual(hooks.map(() => true));
    },
  };
}

describe.skipIf(noPostgres)("a concurrent delete inside a core write", () => {
  let store: TestStore;
  let teams: Teams;
  beforeEach(async () => {
    store = await openTestStore();
    teams = createTeams(store);
    await seedWorld(teams);
  });
  afterEach(() => store.close());

  it("PostgreSQL reports a team deleted between the check and the insert as 40001, not 23503", async () => {
    const trx = await store.db.startTransaction().setIsolationLevel("serializable").execute();
    try {
      const team = await trx.selectFrom("teams").select("id").where("id", "=", "club").execute();
      expect(team).toHaveLength(1);
      await teams.adminDeleteTeam(admin, "club"); // another connection, committed
      const error = await trx
        .insertInto("authorizations")
        .values({
          team_id: "club",
          user_id: "ann",
          scopes: "data:read",
          granted_at: "t",
          updated_at: "t",
          user_summary: "{}",
        })
        .execute()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "40001" });
      expect(error).not.toBeInstanceOf(TeamsError); // passed through for the core's retry
    } finally {
      await trx.rollback().execute();
    }
  });

  it("authorizeTeam locks the team: a deletion racing it waits, then removes the new grant too", async () => {
    const statements: string[] = [];
    let deletion: Promise<void> | undefined;
    const hooked = hookedTeams(
      store.schema,
      [
        {
          when: "after",
          match: /^select "id" from "teams"/,
          // Not awaited: the deletion must wait for the authorization's row lock on the team.
          run: async () => {
            deletion = teams.adminDeleteTeam(admin, "club");
            await new Promise((resolve) => setTimeout(resolve, 100));
          },
        },
      ],
      statements,
    );
    try {
      await expect(
        hooked.teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] }),
      ).resolves.toMatchObject({ team_id: "club", scopes: ["data:read"] });
      expect(statements.filter((s) => s.startsWith("start transaction"))).toHaveLength(1);
      expect(statements.some((s) => /from "teams" .*for share/.test(s))).toBe(true);
      await deletion;
      expect(await store.db.selectFrom("authorizations").selectAll().execute()).toEqual([]);
      expect(
        await store.db.selectFrom("teams").select("id").where("id", "=", "club").execute(),
      ).toEqual([]);
    } finally {
      await hooked.close();
    }
  });

  it("putMember racing the user's deletion is retried and answers NotFound", async () => {
    const hooked = hookedTeams(
      store.schema,
      [
        {
          when: "after",
          match: /from "users"/,
          run: () => teams.adminDeleteUser(admin, "carl"),
        },
      ],
      [],
    );
    try {
      await expect(
        hooked.teams.putMember(principal("coach"), "club", "carl", { role: "member" }),
      ).rejects.toBeInstanceOf(NotFound);
    } finally {
      await hooked.close();
    }
  });

  // authorizeTeam checks its subject (the managed user) inside its write transaction: a user
  // deleted as the transaction starts is a serialization conflict (or simply gone), retried, and
  // answered as a token that can no longer be valid (NotAuthenticated, DESIGN §2's table), never
  // a raw foreign-key violation (23503, a 500).
  it("authorizeTeam racing its user's deletion answers NotAuthenticated, not a raw 23503", async () => {
    const hooked = hookedTeams(
      store.schema,
      [
        {
          when: "before",
          match: /^start transaction/,
          run: () => teams.adminDeleteUser(admin, "ann"),
        },
      ],
      [],
    );
    try {
      const error = await hooked.teams
        .authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotAuthenticated);
    } finally {
      await hooked.close();
    }
  });

  it("many authorizations racing deletions of their team end in ok or NotFound, never orphans", async () => {
    const annByCoach = delegated("ann", "coach");
    const outcomes = new Map<string, number>();
    const note = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    for (let round = 0; round < 40; round++) {
      await teams.adminPutTeam(admin, "doomed", {
        name: "Doomed",
        description: "",
        url: "https://doomed.example/",
        image: "https://doomed.example/i.png",
        privacy_statement: "https://doomed.example/p",
      });
      const [authorized, deleted] = await Promise.allSettled([
        teams.authorizeTeam(annByCoach, "doomed", { scopes: ["data:read"] }),
        teams.adminDeleteTeam(admin, "doomed"),
      ]);
      for (const result of [authorized, deleted]) {
        if (result.status === "rejected") {
          expect(result.reason, String(result.reason)).toBeInstanceOf(TeamsError);
          expect(["not_found", "unavailable"]).toContain((result.reason as TeamsError).kind);
          note((result.reason as TeamsError).name);
        } else note("ok");
      }
      const orphans = await store.db
        .selectFrom("authorizations")
        .selectAll()
        .where("team_id", "=", "doomed")
        .execute();
      const team = await store.db
        .selectFrom("teams")
        .select("id")
        .where("id", "=", "doomed")
        .execute();
      if (team.length === 0) expect(orphans).toEqual([]);
    }
    expect(outcomes.get("ok")).toBeGreaterThan(0);
  });
});
