import { type Kysely, sql, type Transaction } from "kysely";
import { addCommitTxColumn } from "./commit-order.js";
import type { Database } from "./database.js";
import { foldName } from "./name-fold.js";
import type { StoreKind } from "./store-kind.js";

/**
 * One step of the schema, run inside the transaction that records it. Frozen once released: it
 * states the SQL it ran, for each store family, and imports no live code, so later changes of the
 * core never change what an old step does. Typed over no schema (the schema is what it builds).
 */
export interface Migration {
  version: number;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: a migration builds the schema the types describe
  up(db: Kysely<any>, family: StoreKind["family"]): Promise<void>;
}

// Both stores share this single history; DDL is written with Kysely's builder or SQL that both accept.
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "users, teams, memberships, authorizations",
    async up(db, family) {
      // Lists are ordered by these columns and filtered with lower(). SQLite compares bytes and
      // folds ASCII only; PostgreSQL follows the database's locale unless told "C", which gives
      // it SQLite's behaviour, so both stores answer the same lists in the same order.
      const text = family === "postgres" ? sql`text collate "C"` : "text";
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
  {
    version: 2,
    name: "sort keys copied into memberships and authorizations, list indexes",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      // A list of a team's users is ordered by the users' display names, and a list of a user's
      // teams by the teams' names: columns of the other table. No index spans a join, so both stores
      // read the whole team and sort it (35 ms a page for a team of 100,000). A copy of the sort key
      // in the link row lets one index give the order, and a keyset page is a range of it. The core
      // writes the copies with the rows and updates them when a name changes.
      for (const table of ["memberships", "authorizations"]) {
        for (const column of ["team_name", "user_display_name"]) {
          await db.schema
            .alterTable(table)
            .addColumn(column, text, (c) => c.notNull().defaultTo(""))
            .execute();
        }
        await sql`update ${sql.table(table)} set
          team_name = coalesce((select name from teams where teams.id = ${sql.ref(`${table}.team_id`)}), ''),
          user_display_name = coalesce((select display_name from users where users.id = ${sql.ref(`${table}.user_id`)}), '')`.execute(
          db,
        );
      }
      // A page of a team's users is then one range of one index, with no user row to look up: at
      // any depth of a team of 100,000 it reads the same 50 entries side by side.
      for (const column of ["user_first_name", "user_last_name", "user_manager_id"]) {
        await db.schema.alterTable("authorizations").addColumn(column, text).execute();
      }
      await sql`update authorizations set
        user_first_name = (select first_name from users where users.id = authorizations.user_id),
        user_last_name = (select last_name from users where users.id = authorizations.user_id),
        user_manager_id = (select manager_id from users where users.id = authorizations.user_id)`.execute(
        db,
      );
      // Each list reads one range of one index, already in order; the indexes they replace were
      // prefixes of these. The authorizations' indexes also hold what their lists show, so a list
      // reads no authorization row (a million of them, on as many pages) besides its entries.
      await db.schema.dropIndex("authorizations_team_idx").execute();
      await db.schema
        .createIndex("authorizations_team_users_idx")
        .on("authorizations")
        .columns([
          "team_id",
          "user_display_name",
          "user_id",
          "scopes",
          "user_first_name",
          "user_last_name",
          "user_manager_id",
        ])
        .execute();
      await db.schema
        .createIndex("authorizations_user_teams_idx")
        .on("authorizations")
        .columns(["user_id", "team_name", "team_id", "scopes"])
        .execute();
      await db.schema.dropIndex("memberships_user_idx").execute();
      await db.schema
        .createIndex("memberships_user_teams_idx")
        .on("memberships")
        .columns(["user_id", "team_name", "team_id"])
        .execute();
      await db.schema
        .createIndex("memberships_team_users_idx")
        .on("memberships")
        .columns(["team_id", "user_display_name", "user_id"])
        .execute();
      await db.schema.dropIndex("users_manager_idx").execute();
      await db.schema
        .createIndex("users_manager_name_idx")
        .on("users")
        .columns(["manager_id", "display_name", "id"])
        .execute();
    },
  },
  {
    version: 3,
    name: "each authorization carries its line of the team's users list as JSON",
    async up(db, family) {
      // The list's line replaces the copies of the user's columns that migration 2 added: a page
      // reads one text an entry instead of six values (see list-lines.ts).
      // NOT NULL: a line for a user that does not exist (NULL) is refused, not stored.
      await db.schema
        .alterTable("authorizations")
        .addColumn("user_summary", "text", (c) => c.notNull().defaultTo(""))
        .execute();
      // Made of the copies, which the core kept equal to the users' columns (and which are all an
      // authorization of a user gone from an embedder's database without foreign keys still has).
      // Each store's JSON text of a UserSummary, byte for byte JSON.stringify's, as it was then.
      const line =
        family === "postgres"
          ? sql`('{"id":' || coalesce(to_json(user_id)::text, 'null')
              || ',"first_name":' || coalesce(to_json(user_first_name)::text, 'null')
              || ',"last_name":' || coalesce(to_json(user_last_name)::text, 'null')
              || ',"scopes":' || to_json(string_to_array(scopes, ' '))::text
              || ',"display_name":' || coalesce(to_json(user_display_name)::text, 'null')
              || ',"is_managed":' || case when user_manager_id is null then 'false' else 'true' end
              || '}')`
          : sql`json_object('id', user_id, 'first_name', user_first_name,
              'last_name', user_last_name,
              'scopes', json('["' || replace(scopes, ' ', '","') || '"]'),
              'display_name', user_display_name,
              'is_managed', json(iif(user_manager_id is null, 'false', 'true')))`;
      await sql`update authorizations set user_summary = ${line}`.execute(db);
      await db.schema.dropIndex("authorizations_team_users_idx").execute();
      for (const column of ["user_first_name", "user_last_name", "user_manager_id"]) {
        await db.schema.alterTable("authorizations").dropColumn(column).execute();
      }
      await db.schema
        .createIndex("authorizations_team_users_idx")
        .on("authorizations")
        .columns(["team_id", "user_display_name", "user_id", "user_summary"])
        .execute();
      // SQLite adds a covering index of the teams here: see its store kind (`afterMigrations`).
    },
  },
  {
    version: 4,
    name: "deleted users, with when; a re-created user's tokens must be newer",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      // A deleted user's token stays valid until it expires, and a user first seen in a token is
      // created on the fly: without a record of the deletion, that token brings the user back.
      // One row per id (the latest deletion), ISO-8601 like every instant of the schema.
      await db.schema
        .createTable("deleted_users")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("deleted_at", text, (c) => c.notNull())
        .execute();
      // A user re-created by a newer token keeps the deletion's instant here, so a token older
      // than it is still refused from the one read of the user row every request makes.
      await db.schema.alterTable("users").addColumn("issued_after", text).execute();
    },
  },
  {
    version: 5,
    name: "team links as the WHATWG URL serializer writes them, escaped to RFC 3986",
    async up(db) {
      // Earlier releases stored links as typed. Read and written row by row in JavaScript (the
      // transaction is the store's), alike on both stores; few teams, so no batching.
      const rows: { id: string; url: string; image: string; privacy_statement: string }[] = await db
        .selectFrom("teams")
        .select(["id", "url", "image", "privacy_statement"])
        .execute();
      for (const row of rows) {
        const next = {
          url: normaliseStoredLink(row.url),
          image: normaliseStoredLink(row.image),
          privacy_statement: normaliseStoredLink(row.privacy_statement),
        };
        if (
          next.url === row.url &&
          next.image === row.image &&
          next.privacy_statement === row.privacy_statement
        )
          continue;
        await db.updateTable("teams").set(next).where("id", "=", row.id).execute();
      }
    },
  },
  {
    version: 6,
    name: "folded display names, which the name filter compares",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      // The `name` filter ignores case by Unicode's full case folding after NFKC (foldName), which
      // neither store can compute: the core writes the folded display name with the names, and
      // copies it into each authorization as it copies the display name (store-writes.ts).
      await db.schema
        .alterTable("users")
        .addColumn("display_name_folded", text, (c) => c.notNull().defaultTo(""))
        .execute();
      await db.schema
        .alterTable("authorizations")
        .addColumn("user_display_name_folded", text, (c) => c.notNull().defaultTo(""))
        .execute();
      // The one step that imports live code: a folded name is a function of the name alone, and
      // the only right value is what the core writes now. (A change of foldName, such as a new
      // Unicode version, must come with a step that folds every name again.) Batches of users in
      // id order, each one statement, alike on both stores (both name VALUES' columns column1..).
      const batch = 500;
      let after: string | undefined;
      for (;;) {
        let page = db.selectFrom("users").select(["id", "display_name"]).orderBy("id").limit(batch);
        if (after !== undefined) page = page.where("id", ">", after);
        const rows: { id: string; display_name: string }[] = await page.execute();
        const last = rows[rows.length - 1];
        if (!last) break;
        const values = sql.join(rows.map((r) => sql`(${r.id}, ${foldName(r.display_name)})`));
        await sql`update users set display_name_folded = folded.column2
          from (values ${values}) as folded where users.id = folded.column1`.execute(db);
        after = last.id;
      }
      await sql`update authorizations set user_display_name_folded = coalesce(
          (select display_name_folded from users where users.id = authorizations.user_id), '')`.execute(
        db,
      );
      // SQLite: the list index also holds the folded name, so a filtered list still reads one
      // range of one index and no authorization row. (Not on PostgreSQL, whose index entries
      // are limited to about 2,700 bytes: NFKC can make a name of 200 characters 18 times longer.)
      if (family === "sqlite") {
        await db.schema.dropIndex("authorizations_team_users_idx").execute();
        await db.schema
          .createIndex("authorizations_team_users_idx")
          .on("authorizations")
          .columns([
            "team_id",
            "user_display_name",
            "user_id",
            "user_summary",
            "user_display_name_folded",
          ])
          .execute();
      }
    },
  },
  {
    version: 7,
    name: "refresh tokens of the tokens the service issues, bound to their basis",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      // Only the SHA-256 of a refresh token is kept (the token is 32 random bytes): a copy of the
      // database never holds a usable token. A row's basis (the user, the actor, the team) is held
      // by foreign keys: deleting any of them ends the tokens built on it in the same transaction.
      await db.schema
        .createTable("refresh_tokens")
        .addColumn("token_hash", text, (c) => c.primaryKey())
        .addColumn("family_id", text, (c) => c.notNull())
        .addColumn("kind", text, (c) => c.notNull().check(sql`kind in ('delegated', 'principal')`))
        .addColumn("user_id", text, (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("actor_id", text, (c) => c.references("users.id").onDelete("cascade"))
        .addColumn("team_id", text, (c) => c.references("teams.id").onDelete("cascade"))
        .addColumn("scopes", text, (c) => c.notNull())
        .addColumn("actor_scopes", text)
        .addColumn("actor_expires_at", text)
        .addColumn("expires_at", text, (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("used_at", text)
        .execute();
      // Reuse detection ends a family; each basis change ends the tokens of one pair.
      await db.schema
        .createIndex("refresh_tokens_family_idx")
        .on("refresh_tokens")
        .columns(["family_id"])
        .execute();
      // Revoking or narrowing an authorization (team, user); a deleted team's tokens.
      await db.schema
        .createIndex("refresh_tokens_team_user_idx")
        .on("refresh_tokens")
        .columns(["team_id", "user_id"])
        .execute();
      // A removed member's tokens (actor, team); a deleted actor's tokens.
      await db.schema
        .createIndex("refresh_tokens_actor_team_idx")
        .on("refresh_tokens")
        .columns(["actor_id", "team_id"])
        .execute();
      // A user's manager changed; a deleted user's tokens; a user's expired ones (a range).
      await db.schema
        .createIndex("refresh_tokens_user_idx")
        .on("refresh_tokens")
        .columns(["user_id", "expires_at"])
        .execute();
    },
  },
  {
    version: 8,
    name: "the consent log: one record per change of an authorization, never updated",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      // Ids increase with each record a store writes: SQLite's AUTOINCREMENT never reuses an id,
      // even after the highest records were deleted (a user's, with the user); PostgreSQL's
      // identity is a sequence, which orders by assignment, not by commit.
      await db.schema
        .createTable("consent_log")
        .addColumn("id", family === "postgres" ? "bigint" : "integer", (c) =>
          family === "postgres"
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn("type", text, (c) =>
          c
            .notNull()
            .check(
              sql`type in ('authorization.granted', 'authorization.updated', 'authorization.revoked')`,
            ),
        )
        .addColumn("occurred_at", text, (c) => c.notNull())
        // No foreign keys: a record outlives the team and (when kept) the user it names.
        .addColumn("team_id", text, (c) => c.notNull())
        .addColumn("user_id", text, (c) => c.notNull())
        // The stored form of the scope sets (space-separated); NULL for no authorization.
        .addColumn("scopes", text)
        .addColumn("previous_scopes", text)
        .addColumn("actor_user_id", text)
        .addColumn("actor_authorized_party", text)
        .addColumn("actor_via", text, (c) => c.notNull())
        .addColumn("cause", text, (c) => c.notNull())
        .execute();
      // A person's history and a team's, each in log order.
      await db.schema
        .createIndex("consent_log_user_idx")
        .on("consent_log")
        .columns(["user_id", "id"])
        .execute();
      await db.schema
        .createIndex("consent_log_team_idx")
        .on("consent_log")
        .columns(["team_id", "id"])
        .execute();
      // Append-only: the store itself refuses to change a record (deleting one, with its user, is
      // the operator's retention choice, TEAMS_HISTORY_RETENTION).
      if (family === "postgres") {
        await sql`create function consent_log_refuse_update() returns trigger language plpgsql as
          $$ begin raise exception 'consent log records are never updated'; end $$`.execute(db);
        await sql`create trigger consent_log_never_updated before update on consent_log
          for each row execute function consent_log_refuse_update()`.execute(db);
      } else {
        await sql`create trigger consent_log_never_updated before update on consent_log
          begin select raise(abort, 'consent log records are never updated'); end`.execute(db);
      }
    },
  },
  {
    version: 9,
    name: "the consent log read in commit order: each record's writing transaction",
    async up(db, family) {
      // The feed of integrations pages in commit order (commit-order.ts): on PostgreSQL by the
      // writing transaction's id, then the record's; on SQLite, where ids are assigned in commit
      // order already, tx is 0. Existing records get what the default gives (on PostgreSQL this
      // migration's transaction: all alike, so ordered by id).
      await addCommitTxColumn(db.schema.alterTable("consent_log"), family).execute();
      await db.schema
        .createIndex("consent_log_commit_order_idx")
        .on("consent_log")
        .columns(["tx", "id"])
        .execute();
    },
  },
  {
    version: 10,
    name: "signed webhooks: the outbox, the subscriptions and their delivery attempts",
    async up(db, family) {
      const text = family === "postgres" ? sql`text collate "C"` : "text";
      const bigint = family === "postgres" ? "bigint" : "integer";
      // One row per consent log record, written in the record's transaction (DESIGN §7): the body
      // as it is sent. Kept apart from the log because deleting a user may delete its records,
      // while its subscribers must still learn that access ended. Rows every subscription has
      // passed are deleted.
      const outbox = db.schema
        .createTable("webhook_outbox")
        .addColumn("id", bigint, (c) =>
          family === "postgres"
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        );
      // Read in commit order (commit-order.ts), with the index it needs.
      await addCommitTxColumn(outbox, family)
        .addColumn("event_id", bigint, (c) => c.notNull())
        .addColumn("type", text, (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("created_at", text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("webhook_outbox_order_idx")
        .on("webhook_outbox")
        .columns(["tx", "id"])
        .execute();
      // A subscriber, its cursor into the outbox (null: before every row), its retry schedule and
      // the lease of the instance sending to it.
      await db.schema
        .createTable("webhooks")
        .addColumn("id", text, (c) => c.primaryKey())
        .addColumn("url", "text", (c) => c.notNull())
        .addColumn("secret", "text", (c) => c.notNull())
        // Space-separated event types; NULL for every type.
        .addColumn("event_types", "text")
        .addColumn("created_at", text, (c) => c.notNull())
        .addColumn("updated_at", text, (c) => c.notNull())
        .addColumn("position_tx", bigint)
        .addColumn("position_id", bigint)
        .addColumn("next_attempt_at", text)
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("lease_until", text)
        .addColumn("lease_owner", text)
        .execute();
      // Every attempt, in the order made (id), per subscription.
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", bigint, (c) =>
          family === "postgres"
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn("webhook_id", text, (c) =>
          c.notNull().references("webhooks.id").onDelete("cascade"),
        )
        .addColumn("event_id", bigint, (c) => c.notNull())
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("at", text, (c) => c.notNull())
        .addColumn("status", "integer")
        .addColumn("error", "text")
        .addColumn("duration_ms", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_webhook_idx")
        .on("webhook_deliveries")
        .columns(["webhook_id", "id"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_at_idx")
        .on("webhook_deliveries")
        .column("at")
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
 * Brings the schema to the latest version inside `trx` (the shared steps, then the store's own), which the store has opened under its own
 * lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so all steps land or none does and
 * two processes starting at once migrate once. Returns the versions applied.
 */
export async function applyMigrations(
  trx: Transaction<Database>,
  kind: StoreKind,
  /** Stop at this version (tests of an upgrade build a database as an older release left it). */
  upTo: number = LATEST_SCHEMA_VERSION,
): Promise<number[]> {
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
    if (migration.version <= current || migration.version > upTo) continue;
    await migration.up(trx, kind.family);
    applied.push(migration.version);
  }
  if (applied.length > 0) await kind.afterMigrations?.(trx, applied);
  const version = Math.max(current, Math.min(upTo, LATEST_SCHEMA_VERSION));
  if (row) {
    if (applied.length > 0)
      await trx.updateTable("teams_schema").set({ version }).where("id", "=", 1).execute();
  } else {
    await trx.insertInto("teams_schema").values({ id: 1, version }).execute();
  }
  return applied;
}

/** Reads the schema version without changing anything (0 for an empty database); outside a transaction. */
export async function readSchemaVersion(db: Kysely<Database>): Promise<number> {
  // The version row is read first: the catalog is read only when that fails. Kysely's
  // introspection reads every schema of a PostgreSQL database, and fails when another schema is
  // dropped meanwhile (other tenants, parallel tests), so a migrated database never depends on it.
  try {
    const row = await db
      .selectFrom("teams_schema")
      .select("version")
      .where("id", "=", 1)
      .executeTakeFirst();
    return row?.version ?? 0;
  } catch (error) {
    const tables = await db.introspection.getTables();
    if (!tables.some((t) => t.name === "teams_schema")) return 0;
    throw error;
  }
}

/**
 * Migration 5's normalisation of a stored link, frozen here (a migration imports no live code;
 * link.ts is what new writes use, and may change). Earlier releases refused what does not parse
 * or is not http(s), so such a link was written by hand: it is kept as stored (the columns are
 * NOT NULL, and a team's link is not ours to invent). Credentials are dropped rather than kept,
 * since every member is shown the link; a host RFC 3986 cannot hold is kept as stored.
 */
function normaliseStoredLink(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return text;
  url.username = "";
  url.password = "";
  if (!/^(?:\[[0-9a-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)$/.test(url.hostname)) return text;
  const notUri = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})/g;
  const notUriFragment = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})|#/g;
  const encode = (c: string) =>
    [...new TextEncoder().encode(c)]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
      .join("");
  const origin = `${url.protocol}//${url.host}`;
  const rest = url.href.slice(origin.length);
  const hashAt = rest.indexOf("#");
  const beforeHash = hashAt === -1 ? rest : rest.slice(0, hashAt);
  const fragment =
    hashAt === -1 ? "" : `#${rest.slice(hashAt + 1).replace(notUriFragment, encode)}`;
  return `${origin}${beforeHash.replace(notUri, encode)}${fragment}`;
}
