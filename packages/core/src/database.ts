import type { Generated } from "kysely";

/** The store's tables, as Kysely sees them. Both stores hold exactly this schema. */
export interface Database {
  users: UsersTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  authorizations: AuthorizationsTable;
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
  created_at: string;
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
}

/** One row: the schema version the database was last migrated to. */
export interface SchemaTable {
  id: number;
  version: number;
}
