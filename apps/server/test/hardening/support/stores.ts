import { randomBytes } from "node:crypto";
import type { Database, StoreKind } from "@teams/core";
import { openPostgresStore, type PostgresStoreOptions } from "@teams/postgres";
import { openSqliteStore } from "@teams/sqlite";
import { type Kysely, sql } from "kysely";
import type { Rows } from "./model.js";

/** The server the PostgreSQL suites use (as packages/postgres/test does); each works in its own schema. */
export const POSTGRES_URL =
  process.env.TEAMS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Null when PostgreSQL answers, else why not (the suites then say so and skip). */
export async function postgresSkipReason(): Promise<string | null> {
  try {
    const store = await openPostgresStore({
      url: POSTGRES_URL,
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

/** Prints the skip once per file, plainly, so `.ci/run` output says what did not run. */
export function reportSkip(suite: string, reason: string | null): boolean {
  if (reason !== null) console.log(`${suite}: PostgreSQL suites skipped (${reason})`);
  return reason !== null;
}

export interface TestStore {
  kind: StoreKind;
  db: Kysely<Database>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openMemoryStore(): Promise<TestStore> {
  const store = await openSqliteStore({ filename: ":memory:" });
  return { kind: store.kind, db: store.db, ping: store.ping, close: store.close };
}

export const freshSchema = (label: string) =>
  `teams_hardening_${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

/** A store on a schema of its own, dropped on close. */
export async function openPostgresTestStore(
  label: string,
  options: Partial<PostgresStoreOptions> = {},
): Promise<TestStore & { schema: string }> {
  const schema = freshSchema(label);
  const store = await openPostgresStore({ url: POSTGRES_URL, schema, max: 6, ...options });
  return {
    kind: store.kind,
    schema,
    db: store.db,
    ping: store.ping,
    async close() {
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
      } finally {
        await store.close();
      }
    },
  };
}

/** Empties every table (children first), keeping the schema: a new world without a new store. */
export async function clearRows(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom("refresh_tokens").execute();
  await db.deleteFrom("authorizations").execute();
  await db.deleteFrom("memberships").execute();
  await db.deleteFrom("users").where("manager_id", "is not", null).execute();
  await db.deleteFrom("users").execute();
  await db.deleteFrom("teams").execute();
}

/** The store's rows in the model's form (see `modelRows`). */
export async function storeRows(db: Kysely<Database>): Promise<Rows> {
  const [users, teams, memberships, authorizations] = await Promise.all([
    db.selectFrom("users").select(["id", "first_name", "last_name", "manager_id"]).execute(),
    db
      .selectFrom("teams")
      .select(["id", "name", "description", "url", "image", "privacy_statement"])
      .execute(),
    db.selectFrom("memberships").select(["team_id", "user_id", "role"]).execute(),
    db.selectFrom("authorizations").select(["team_id", "user_id", "scopes"]).execute(),
  ]);
  return {
    users: users.map((u) => JSON.stringify([u.id, u.first_name, u.last_name, u.manager_id])).sort(),
    teams: teams
      .map((t) =>
        JSON.stringify([t.id, t.name, t.description, t.url, t.image, t.privacy_statement]),
      )
      .sort(),
    memberships: memberships.map((m) => JSON.stringify([m.team_id, m.user_id, m.role])).sort(),
    authorizations: authorizations
      .map((a) => JSON.stringify([a.team_id, a.user_id, a.scopes]))
      .sort(),
  };
}

/** Rows that point at nothing: what a lost race or a broken cascade would leave behind. */
export async function orphans(db: Kysely<Database>): Promise<string[]> {
  const found: string[] = [];
  const grants = await db
    .selectFrom("authorizations")
    .leftJoin("users", "users.id", "authorizations.user_id")
    .leftJoin("teams", "teams.id", "authorizations.team_id")
    .select(["authorizations.team_id", "authorizations.user_id", "users.id as u", "teams.id as t"])
    .execute();
  for (const g of grants)
    if (g.u === null || g.t === null) found.push(`grant ${g.team_id}/${g.user_id}`);
  const members = await db
    .selectFrom("memberships")
    .leftJoin("users", "users.id", "memberships.user_id")
    .leftJoin("teams", "teams.id", "memberships.team_id")
    .select(["memberships.team_id", "memberships.user_id", "users.id as u", "teams.id as t"])
    .execute();
  for (const m of members)
    if (m.u === null || m.t === null) found.push(`member ${m.team_id}/${m.user_id}`);
  const managed = await db
    .selectFrom("users as m")
    .leftJoin("users as boss", "boss.id", "m.manager_id")
    .select(["m.id", "boss.id as b"])
    .where("m.manager_id", "is not", null)
    .execute();
  for (const u of managed) if (u.b === null) found.push(`managed user ${u.id} without manager`);
  return found;
}
