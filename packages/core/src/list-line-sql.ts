import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "./database.js";
import { onPostgres } from "./dialect.js";

// A list's answer as the stores write it: each line (one item of the JSON array) built as JSON
// text by the store, so no value of it is built in JavaScript and nothing is serialized again.
// better-sqlite3 spends about 0.35 µs a row and 0.1 µs a value building JavaScript values, more
// than SQLite spends finding them; JSON.stringify then costs as much again.
//
// Both stores write the same text, byte for byte what JSON.stringify writes for the same object:
// compact, keys in the reference's order, the same escapes (SQLite's json_object; on PostgreSQL,
// whose json_build_object spaces its output, the text is joined from to_json pieces).

/** How a field's value becomes JSON. */
type Field =
  | { text: Expression<string | null> }
  /** The stored, space-separated form of a scope set (`encodeScopes`): words of [a-z:] only. */
  | { scopes: Expression<string> }
  /** `true` when the value is not NULL. */
  | { present: Expression<unknown> };

/** The JSON text of an object of `fields` (keys are the code's own, never escaped). */
function jsonObject(db: Kysely<Database>, fields: readonly [string, Field][]): RawBuilder<string> {
  if (onPostgres(db)) {
    const parts = fields.map(([key, field], i) => {
      const label = sql.lit(`${i === 0 ? "{" : ","}"${key}":`);
      if ("text" in field) return sql`${label} || coalesce(to_json(${field.text})::text, 'null')`;
      if ("scopes" in field) {
        return sql`${label} || to_json(string_to_array(${field.scopes}, ' '))::text`;
      }
      return sql`${label} || case when ${field.present} is null then 'false' else 'true' end`;
    });
    return sql<string>`(${sql.join(parts, sql` || `)} || '}')`;
  }
  const args = fields.map(([key, field]) => {
    if ("text" in field) return sql`${sql.lit(key)}, ${field.text}`;
    if ("scopes" in field) {
      return sql`${sql.lit(key)}, json('["' || replace(${field.scopes}, ' ', '","') || '"]')`;
    }
    return sql`${sql.lit(key)}, json(iif(${field.present} is null, 'false', 'true'))`;
  });
  return sql<string>`json_object(${sql.join(args)})`;
}

/** The columns (or values) a users list line is made of. */
export interface SummaryFields {
  id: Expression<string>;
  first_name: Expression<string | null>;
  last_name: Expression<string | null>;
  scopes: Expression<string>;
  display_name: Expression<string>;
  /** Only whether it is NULL matters: the user is managed. */
  manager_id: Expression<string | null>;
}

/** The JSON text of a `UserSummary` made of `f`: a line of a team's users list. */
export function summaryJson(db: Kysely<Database>, f: SummaryFields): RawBuilder<string> {
  return jsonObject(db, [
    ["id", { text: f.id }],
    ["first_name", { text: f.first_name }],
    ["last_name", { text: f.last_name }],
    ["scopes", { scopes: f.scopes }],
    ["display_name", { text: f.display_name }],
    ["is_managed", { present: f.manager_id }],
  ]);
}

/**
 * The line of the user `userId` with `scopes` (a column or expression holding the stored form),
 * read from the user's row; NULL when there is no such user. An authorization stores it (migration
 * 3), written inside the statement that writes the authorization, so nothing can change the user
 * in between; the core rebuilds it whenever the user or the scopes change.
 */
export function userSummaryJson(
  db: Kysely<Database>,
  userId: string,
  scopes: Expression<string>,
): RawBuilder<string> {
  const line = summaryJson(db, {
    id: sql.ref("u.id"),
    first_name: sql.ref("u.first_name"),
    last_name: sql.ref("u.last_name"),
    scopes,
    display_name: sql.ref("u.display_name"),
    manager_id: sql.ref("u.manager_id"),
  });
  return sql<string>`(select ${line} from users u where u.id = ${userId})`;
}

/**
 * The JSON text of an `AuthorizedTeamResponse`: a line of a user's authorized teams, built as the
 * list is read (a team's details are not copied into every authorization).
 */
export function authorizedTeamJson(db: Kysely<Database>): RawBuilder<string> {
  const team = (column: string) => ({ text: sql.ref(`teams.${column}`) as Expression<string> });
  return jsonObject(db, [
    ["id", team("id")],
    ["name", team("name")],
    ["description", team("description")],
    ["url", team("url")],
    ["image", team("image")],
    ["privacy_statement", team("privacy_statement")],
    ["scopes", { scopes: sql.ref("authorizations.scopes") }],
  ]);
}
