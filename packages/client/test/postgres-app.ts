import { randomBytes } from "node:crypto";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { openPostgresStore, type PostgresStore } from "@teams/postgres";
import { createApp } from "@teams/server";
import { createTeamsClient, type TeamsClient } from "../src/index.js";
import { secret, token } from "./in-process-app.js";

/** The server the tests use; each app works in a schema of its own and drops it. */
export const TEST_URL =
  process.env.TEAMS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why the PostgreSQL story is skipped, or null when the server answers. */
export async function probePostgres(): Promise<string | null> {
  try {
    const store = await openPostgresStore({
      url: TEST_URL,
      migrate: false,
      max: 1,
      connectionTimeoutMs: 3000,
    });
    await store.close();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Signs a token the PostgreSQL app accepts (the same secret as the SQLite one). */
export const postgresToken = token;

/**
 * The whole server app as in in-process-app.ts, but over a PostgreSQL store in a fresh schema
 * (created and migrated on open, dropped on close), reached without a socket.
 */
export async function postgresApp() {
  const schema = `teams_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const store: PostgresStore = await openPostgresStore({ url: TEST_URL, schema, max: 4 });
  const app = createApp({
    teams: createTeams(store),
    authenticator: await createAuthenticator({ jwtSecret: secret, externalAzp: "actor" }),
    ping: store.ping,
  });
  const fetch = ((input: string | URL | Request, init?: RequestInit) =>
    app.fetch(new Request(input, init))) as typeof globalThis.fetch;
  return {
    app,
    store,
    schema,
    token: postgresToken,
    /** A typed client calling as `sub` (delegated when `azp` is given). */
    client(sub: string, options: { azp?: string; scope?: string } = {}): TeamsClient {
      return createTeamsClient({
        url: "http://teams.test",
        token: () => postgresToken(sub, options),
        fetch,
      });
    },
    async close() {
      try {
        await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      } finally {
        await store.close();
      }
    },
  };
}
