import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from "../src/index.js";
import { TEST_URL } from "./postgres-server.js";

export { TEST_URL } from "./postgres-server.js";

/** Why the PostgreSQL suites are skipped (see global-setup.ts), or null when the server answers. */
export const skipReason = inject("postgresSkipReason");
export const noPostgres = skipReason !== null;

/** A schema name no other test uses. */
export function freshSchema(): string {
  return `teams_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/** Runs `fn` with a client of its own (outside any store), then closes it. */
export async function withClient<T>(
  fn: (client: pg.Client) => Promise<T>,
  url = TEST_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string, url = TEST_URL): Promise<void> {
  await withClient(
    (c) => c.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`),
    url,
  );
}

export interface TestStore extends PostgresStore {
  schema: string;
}

/** A store on a fresh schema (or the one given) that drops its schema on close. */
export async function openTestStore(
  options: Partial<PostgresStoreOptions> = {},
): Promise<TestStore> {
  const schema = options.schema ?? freshSchema();
  const url = options.url ?? TEST_URL;
  let store: PostgresStore;
  try {
    store = await openPostgresStore({ max: 4, ...options, url, schema });
  } catch (error) {
    await dropSchema(schema, url);
    throw error;
  }
  return {
    ...store,
    schema,
    async close() {
      await store.close();
      await dropSchema(schema, url);
    },
  };
}

/** The same URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
