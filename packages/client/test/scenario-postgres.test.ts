import { afterEach, describe, expect, it } from "vitest";
import { inProcessApp } from "./in-process-app.js";
import { postgresApp, probePostgres, TEST_URL } from "./postgres-app.js";
import { restFace, story, trpcFace } from "./story.js";

// Issue #5: the same story (story.ts), told through REST and through the typed client on an app
// whose store is PostgreSQL, ends exactly as it does on SQLite.

const skipReason = await probePostgres();
if (skipReason !== null) {
  console.log(
    `PostgreSQL story skipped: ${TEST_URL.replace(/:[^:@/]*@/, ":***@")} did not answer ` +
      `(${skipReason}). Start PostgreSQL or set TEAMS_TEST_POSTGRES_URL to run it.`,
  );
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe.skipIf(skipReason !== null)("the whole story on PostgreSQL", () => {
  it("ends with the outcomes it has on SQLite, on both faces", async () => {
    const onSqlite = await inProcessApp();
    const restApp = await postgresApp();
    const trpcApp = await postgresApp();
    closers.push(onSqlite.close, restApp.close, trpcApp.close);

    const expected = await story(restFace(onSqlite));
    const viaRest = await story(restFace(restApp, restApp.token));
    const viaTrpc = await story(trpcFace(trpcApp));
    expect(viaRest).toEqual(expected);
    expect(viaTrpc).toEqual(expected);
    // PostgreSQL really served it: the people of the story are rows in each app's own schema.
    for (const app of [restApp, trpcApp]) {
      const users = await app.store.db.selectFrom("users").select("id").orderBy("id").execute();
      expect(users.map((u) => u.id)).toEqual(
        expect.arrayContaining(["assistant", "coach", "outsider"]),
      );
      expect(users).toHaveLength(4); // and Mia, the managed user
    }
  });
});
