import {
  applyMigrations,
  type Database,
  LATEST_SCHEMA_VERSION,
  readSchemaVersion,
} from "@teams/core";
import { Kysely, sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresStore, postgresStoreKind, TranslatingPostgresDialect } from "../src/index.js";
import { dropSchema, freshSchema, noPostgres, TEST_URL, withClient } from "./support.js";

const INSTANCES = 5;

/** Tables of `schema` as the catalog lists them. */
async function tablesOf(schema: string): Promise<string[]> {
  return withClient(async (c) => {
    const { rows } = await c.query<{ name: string }>(
      "select tablename as name from pg_tables where schemaname = $1 order by 1",
      [schema],
    );
    return rows.map((r) => r.name);
  });
}

describe.skipIf(noPostgres)("migrations under the advisory lock", () => {
  it(`${INSTANCES} instances opening a new schema at once all start, and migrate it once`, async () => {
    const schema = freshSchema();
    const opened = await Promise.allSettled(
      Array.from({ length: INSTANCES }, () => openPostgresStore({ url: TEST_URL, schema, max: 2 })),
    );
    try {
      expect(opened.map((o) => o.status)).toEqual(Array(INSTANCES).fill("fulfilled"));
      const stores = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      for (const store of stores) {
        expect(await readSchemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
      }
      // Had two instances run migration 1, the second's CREATE TABLE users would have failed; one
      // version row tells the same from the other side.
      const { rows } = await sql`select id, version from teams_schema`.execute(
        stores[0]?.db as Kysely<Database>,
      );
      expect(rows).toEqual([{ id: 1, version: LATEST_SCHEMA_VERSION }]);
      expect(await tablesOf(schema)).toEqual([
        "authorizations",
        "consent_log",
        "deleted_users",
        "memberships",
        "refresh_tokens",
        "teams",
        "teams_schema",
        "users",
        "webhook_deliveries",
        "webhook_outbox",
        "webhooks",
      ]);
    } finally {
      await Promise.all(
        opened.map((o) => (o.status === "fulfilled" ? o.value.close() : Promise.resolve())),
      );
      await dropSchema(schema);
    }
  });

  it("control: the same race without the lock fails, so the test above can tell", async () => {
    const schema = freshSchema();
    await withClient((c) => c.query(`create schema ${pg.escapeIdentifier(schema)}`));
    const pool = new pg.Pool({
      connectionString: TEST_URL,
      max: INSTANCES,
      options: `-c search_path=${schema}`,
    });
    const db = new Kysely<Database>({ dialect: new TranslatingPostgresDialect({ pool }) });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: INSTANCES }, () =>
          db.transaction().execute((trx) => applyMigrations(trx, postgresStoreKind)),
        ),
      );
      expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
    } finally {
      await db.destroy();
      await dropSchema(schema);
    }
  });

  it("reopening a migrated schema applies nothing and keeps the data", async () => {
    const schema = freshSchema();
    try {
      const first = await openPostgresStore({ url: TEST_URL, schema });
      await first.db
        .insertInto("users")
        .values({
          id: "kept",
          first_name: null,
          last_name: null,
          display_name_folded: "kept",
          manager_id: null,
          created_at: "x",
        })
        .execute();
      await first.close();
      const second = await openPostgresStore({ url: TEST_URL, schema });
      const rows = await second.db.selectFrom("users").select("id").execute();
      expect(rows).toEqual([{ id: "kept" }]);
      await second.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it("with migrate: false creates the schema but no tables", async () => {
    const schema = freshSchema();
    try {
      const store = await openPostgresStore({ url: TEST_URL, schema, migrate: false });
      expect(await tablesOf(schema)).toEqual([]);
      await store.ping();
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
