import { join } from "node:path";
import { createTeams, Unavailable } from "@teams/core";
import { delegated, principal, seedWorld, withListValues } from "@teams/core/testing";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { removeTempDirs, tempDir } from "./support/database-file.js";

// A write lock held longer than the busy timeout is answered Unavailable (503, retry later), never
// a raw SQLite error, it changes nothing, and the store serves the next request normally.

describe("contention longer than the busy timeout", () => {
  afterEach(removeTempDirs);

  it("answers Unavailable, changes nothing, and the store keeps working", async () => {
    const filename = join(tempDir(), "teams.db");
    const failed: unknown[] = [];
    const store = await openSqliteStore({
      filename,
      busyTimeoutMs: 100,
      onQueryError: (error) => failed.push(error),
    });
    const teams = withListValues(createTeams(store));
    const ann = delegated("ann", "coach");
    const ben = delegated("ben", "coach");
    const coach = principal("coach");
    try {
      await seedWorld(teams);
      await teams.authorizeTeam(ben, "club", { scopes: ["profile"] });
      // onQueryError hears of failures only.
      expect(failed).toEqual([]);

      // Another connection (as another process would) takes the write lock and keeps it.
      const holder = new BetterSqlite3(filename);
      holder.exec("begin immediate");
      try {
        const authorizing = teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
        await expect(authorizing).rejects.toBeInstanceOf(Unavailable);
        await expect(authorizing).rejects.toMatchObject({ retryAfterSeconds: 1 });
        await expect(teams.revokeTeam(ben, "club")).rejects.toBeInstanceOf(Unavailable);
        // Each refused write's BEGIN IMMEDIATE, reported as the caller saw it.
        expect(failed.length).toBeGreaterThanOrEqual(2);
        for (const error of failed) expect(error).toBeInstanceOf(Unavailable);
        // Readers are not blocked by a writer in WAL mode.
        expect((await teams.listTeamUsers(coach, "club")).map((u) => u.id)).toEqual(["ben"]);
      } finally {
        holder.exec("rollback");
        holder.close();
      }

      // Nothing of the refused requests happened.
      const after = await teams.listTeamUsers(coach, "club");
      expect(after.map((u) => [u.id, u.scopes])).toEqual([["ben", ["profile"]]]);

      // And the same store serves the next requests.
      await expect(teams.authorizeTeam(ann, "club", { scopes: ["data:read"] })).resolves.toEqual({
        team_id: "club",
        user_id: "ann",
        scopes: ["data:read"],
      });
      await teams.revokeTeam(ben, "club");
      const last = await teams.listTeamUsers(coach, "club");
      expect(last.map((u) => [u.id, u.scopes])).toEqual([["ann", ["data:read"]]]);
      expect(store.integrityCheck()).toBe("ok");
      const refusals = failed.length;
      await expect(sql`select * from no_such_table`.execute(store.db)).rejects.toThrow();
      expect(failed).toHaveLength(refusals + 1);
      expect(failed.at(-1)).not.toBeInstanceOf(Unavailable);
    } finally {
      await store.close();
    }
  });
});
