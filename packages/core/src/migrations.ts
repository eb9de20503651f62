import { type Kysely, PostgresAdapter, sql, type Transaction } from "kysely";
import type { Database } from "./database.js";

/** One step of the schema. Runs inside the transaction that records it, on SQLite and PostgreSQL. */
export interface Migration {
  version: number;
  name: string;
  up(trx: Transaction<Database>): Promise<void>;
}

// Both stores share this single history; DDL is written with Kysely's builder or SQL that both accept.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "users, teams, memberships, authorizations",
    async up(trx) {
      const db = trx as unknown as Kysely<unknown>;
      // Lists are ordered by these columns and filtered with lower(). SQLite compares bytes and
      // folds ASCII only; PostgreSQL follows the database's locale unless told "C", which gives
      // it SQLite's behaviour, so both stores answer the same lists in the same order.
      const adapter = trx.getExecutor().adapter;
      const onPostgres =
        adapter instanceof PostgresAdapter || adapter.constructor.name === "PostgresAdapter";
      const text = onPostgres ? sql`text collate "C"` : "text";
      await db.schema
        .createTable("users")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("first_name", text)
        .addColumn("last_name", text)
        .addColumn("manager_id", text, (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("display_name", text, (c) =>
          c
            .notNull()
            .generatedAlwaysAs(
              sql`coalesce(nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), id)`,
            )
            .stored(),
        )
        .addColumn("created_at", text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("users_manager_idx")
        .on("users")
        .columns(["manager_id"])
        .execute();

      await db.schema
        .createTable("teams")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("name", text, (c) => c.notNull())
        .addColumn("description", text, (c) => c.notNull())
        .addColumn("url", text, (c) => c.notNull())
        .addColumn("image", text, (c) => c.notNull())
        .addColumn("privacy_statement", text, (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("teams_name_idx").on("teams").columns(["name", "id"]).execute();

      await db.schema
        .createTable("memberships")
        .addColumn("team_id", text, (c) => c.notNull().references("teams.id").onDelete("cascade"))
        .addColumn("user_id", text, (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", text, (c) => c.notNull().check(sql`role in ('owner', 'member')`))
        .addPrimaryKeyConstraint("memberships_pk", ["team_id", "user_id"])
        .execute();
      // Listing a user's teams goes by user; listing a team's members by the primary key.
      await db.schema
        .createIndex("memberships_user_idx")
        .on("memberships")
        .columns(["user_id", "team_id"])
        .execute();

      await db.schema
        .createTable("authorizations")
        .addColumn("user_id", text, (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("team_id", text, (c) => c.notNull().references("teams.id").onDelete("cascade"))
        .addColumn("scopes", text, (c) => c.notNull().check(sql`scopes <> ''`))
        .addColumn("granted_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addPrimaryKeyConstraint("authorizations_pk", ["user_id", "team_id"])
        .execute();
      // A user's authorized teams go by the primary key; a team's users by this index.
      await db.schema
        .createIndex("authorizations_team_idx")
        .on("authorizations")
        .columns(["team_id", "user_id"])
        .execute();
    },
  },
];

/** The version a database is at after every migration this code knows has run. */
export const LATEST_SCHEMA_VERSION = migrations.reduce((v, m) => Math.max(v, m.version), 0);

/** A database written by a newer release than this one: refusing it beats misreading it. */
export class SchemaTooNew extends Error {
  override readonly name = "SchemaTooNew";
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The database is at schema version ${found}, but this release of Teams knows versions up to ${supported}. ` +
        "It was written by a newer release: upgrade Teams, or restore a backup made for this one.",
    );
  }
}

/**
 * Brings the schema to the latest version inside `trx`, which the store has opened under its own
 * lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so all steps land or none does and
 * two processes starting at once migrate once. Returns the versions applied.
 */
export async function applyMigrations(trx: Transaction<Database>): Promise<number[]> {
  await trx.schema
    .createTable("teams_schema")
    .ifNotExists()
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("version", "integer", (c) => c.notNull())
    .execute();
  const row = await trx
    .selectFrom("teams_schema")
    .select("version")
    .where("id", "=", 1)
    .executeTakeFirst();
  const current = row?.version ?? 0;
  if (current > LATEST_SCHEMA_VERSION) throw new SchemaTooNew(current, LATEST_SCHEMA_VERSION);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await migration.up(trx);
    applied.push(migration.version);
  }
  const version = Math.max(current, LATEST_SCHEMA_VERSION);
  if (row) {
    if (applied.length > 0)
      await trx.updateTable("teams_schema").set({ version }).where("id", "=", 1).execute();
  } else {
    await trx.insertInto("teams_schema").values({ id: 1, version }).execute();
  }
  return applied;
}

/** Reads the schema version without changing anything (0 for an empty database). */
export async function readSchemaVersion(db: Kysely<Database>): Promise<number> {
  const exists = await db.introspection.getTables();
  if (!exists.some((t) => t.name === "teams_schema")) return 0;
  const row = await db
    .selectFrom("teams_schema")
    .select("version")
    .where("id", "=", 1)
    .executeTakeFirst();
  return row?.version ?? 0;
}
