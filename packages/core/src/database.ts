import type { ColumnType, Generated } from "kysely";

/**
 * A copy of another table's column, kept in step by the core so that lists can be read in order
 * from one index (see migration 2). Inserts may leave it out (it then defaults to '').
 */
type SortKeyCopy = ColumnType<string, string | undefined, string>;

/** The store's tables, as Kysely sees them. Both stores hold exactly this schema. */
export interface Database {
  users: UsersTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  authorizations: AuthorizationsTable;
  deleted_users: DeletedUsersTable;
  consent_log: ConsentLogTable;
  refresh_tokens: RefreshTokensTable;
  webhook_outbox: WebhookOutboxTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  teams_schema: SchemaTable;
}

export interface UsersTable {
  id: string;
  first_name: string | null;
  last_name: string | null;
  /** Set for a managed user: the user who manages it. Deleting the manager deletes it. */
  manager_id: string | null;
  /** Names joined by a space, else the id; computed by the store so lists can be ordered by index. */
  display_name: Generated<string>;
  /**
   * `foldName(display_name)`, which the `name` filter compares (migration 6). The stores cannot
   * fold, so the core writes it with the names (`store-writes.ts`): every insert gives it.
   */
  display_name_folded: string;
  created_at: string;
  /**
   * Set on a user re-created after a deletion (migration 4): the deletion's ISO-8601 instant. A
   * token for this user must have been issued after it. Inserts may leave it out (null: any token).
   */
  issued_after: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TeamsTable {
  id: string;
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
  created_at: string;
}

export interface MembershipsTable {
  team_id: string;
  user_id: string;
  role: "owner" | "member";
  /** The team's `name`: a member's teams are listed by it. */
  team_name: SortKeyCopy;
  /** The user's `display_name`: a team's members are listed by it. */
  user_display_name: SortKeyCopy;
}

export interface AuthorizationsTable {
  team_id: string;
  user_id: string;
  /** Granted scopes, canonical order, space-separated (see `encodeScopes`). */
  scopes: string;
  /** ISO-8601 instant of the first grant. */
  granted_at: string;
  /** ISO-8601 instant of the last change of `scopes`. */
  updated_at: string;
  /** The team's `name`: a user's authorized teams are listed by it. */
  team_name: SortKeyCopy;
  /** The user's `display_name`: a team's authorizing users are listed by it. */
  user_display_name: SortKeyCopy;
  /** The user's `display_name_folded`: the `name` filter of a team's users compares it. */
  user_display_name_folded: SortKeyCopy;
  /**
   * The authorization's line of its team's users list: the JSON text of the reference's
   * `UserSummary` of its user with these scopes (migration 3; see `list-line-sql.ts`). A list
   * reads no user row and builds no value.
   */
  user_summary: string;
}

/** A deleted user (migration 4): its id and the instant of its latest deletion. */
export interface DeletedUsersTable {
  id: string;
  /** ISO-8601 instant; a token issued before it (or without `iat`) no longer re-creates the user. */
  deleted_at: string;
}

/**
 * One record of the consent log (migration 8, DESIGN §7): a change of one authorization. Written
 * only by `store-writes.ts`, in the change's transaction; never updated.
 */
export interface ConsentLogTable {
  /** Increasing per store (PostgreSQL: a bigint, read as a string). */
  id: Generated<number | string>;
  /**
   * The writing transaction (migration 9, commit-order.ts): PostgreSQL's 64-bit transaction id,
   * read as a string; 0 on SQLite. Set by the column's default, never by an insert.
   */
  tx: Generated<number | string>;
  type: "authorization.granted" | "authorization.updated" | "authorization.revoked";
  /** ISO-8601 instant of the change. */
  occurred_at: string;
  team_id: string;
  user_id: string;
  /** The scopes after the change (stored form); null when it ended the authorization. */
  scopes: string | null;
  /** The scopes before the change (stored form); null when there was no authorization. */
  previous_scopes: string | null;
  actor_user_id: string | null;
  actor_authorized_party: string | null;
  actor_via: string;
  cause: string;
}

/**
 * A refresh token of a token the service issued (migration 7), by the SHA-256 of the token
 * (base64url). Rotated on use: the used row stays, with `used_at`, until its family ends, so a
 * second use is seen (reuse detection). Instants are ISO-8601.
 */
export interface RefreshTokensTable {
  token_hash: string;
  /** Every token rotated from one issue shares it; ending a family deletes its rows. */
  family_id: string;
  /** `delegated`: acting for `user_id`; `principal`: the acting user switched back to itself. */
  kind: "delegated" | "principal";
  /** The token's `sub`. */
  user_id: string;
  /** The acting user of a delegated token (its `azp`); null for a principal token. */
  actor_id: string | null;
  /** The team a delegated token goes through; null for a managed user's, or a principal token. */
  team_id: string | null;
  /** The token's scopes, canonical order, space-separated. */
  scopes: string;
  /** The acting user's own token's scopes when it delegated (what switching back may give). */
  actor_scopes: string | null;
  /** When the acting user's own token expired (what switching back may never exceed). */
  actor_expires_at: string | null;
  expires_at: string;
  created_at: string;
  /** Set when the token was rotated: a second use ends the family. */
  used_at: string | null;
}

/**
 * The webhook outbox (migration 10): one row per consent log record, in the record's transaction.
 * Integers are bigints on PostgreSQL, read as strings.
 */
export interface WebhookOutboxTable {
  id: Generated<number | string>;
  /** The writing transaction (PostgreSQL: its xid; SQLite: 0), for commit order. */
  tx: Generated<number | string>;
  /** The consent log record's id: the `webhook-id` of its deliveries. */
  event_id: number | string;
  type: string;
  /** The body as sent: `{type, timestamp, data}`. */
  payload: string;
  created_at: string;
}

/** A webhook subscription (migration 10). Instants are ISO-8601. */
export interface WebhooksTable {
  id: string;
  url: string;
  /** `whsec_<base64>`. */
  secret: string;
  /** Space-separated event types; null for every type. */
  event_types: string | null;
  created_at: string;
  updated_at: string;
  /** The last outbox row passed (delivered or filtered out); null before every row. */
  position_tx: number | string | null;
  position_id: number | string | null;
  /** After a failed attempt: not before this instant. */
  next_attempt_at: string | null;
  /** Failed attempts at the current row. */
  attempts: ColumnType<number, number | undefined, number>;
  /** The instance sending to this subscription, until when. */
  lease_until: string | null;
  lease_owner: string | null;
}

/** One delivery attempt (migration 10). */
export interface WebhookDeliveriesTable {
  id: Generated<number | string>;
  webhook_id: string;
  event_id: number | string;
  /** 1 for the first attempt at this event. */
  attempt: number;
  at: string;
  /** The receiver's status; null when there was no answer. */
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** One row: the schema version the database was last migrated to. */
export interface SchemaTable {
  id: number;
  version: number;
}
