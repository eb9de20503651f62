import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "./database.js";
import { onPostgres } from "./dialect.js";

// An authorization carries its line of a team's users list as JSON text (migration 3): the
// reference's UserSummary of its user with its scopes. A page of a team of 100,000 is then one
// range of one index whose entries are the answer's text: no value of it is built in JavaScript
// and no object serialized again (better-sqlite3 spends about 0.35 µs a row and 0.1 µs a value
// building JavaScript values, more than SQLite spends finding them).
//
// The text is built by the store from the user's row, inside the statement that writes it, so
// nothing can change the user in between; the core rebuilds it whenever the user or the scopes
// change. Both stores write the same text: compact, keys in the reference's order.

/** The columns (or values) a line is made of; `manager_id` only says whether the user is managed. */
export interface SummaryFields {
  id: Expression<string>;
  first_name: Expression<string | null>;
  last_name: Expression<string | null>;
  /** The stored, space-separated form (`encodeScopes`): words of [a-z:] only. */
  scopes: Expression<string>;
  display_name: Expression<string>;
  manager_id: Expression<string | null>;
}

/** The JSON text of a `UserSummary` made of `f`, keys in the reference's order. */
export function summaryJson(db: Kysely<Database>, f: SummaryFields): RawBuilder<string> {
  // PostgreSQL's json_build_object spaces its output (`{"id" : ...}`); built from to_json pieces
  // the text is compact, and escapes as SQLite and JSON.stringify do: the same bytes on both stores.
  const text = (e: Expression<string | null>) => sql`coalesce(to_json(${e})::text, 'null')`;
  return onPostgres(db)
    ? sql<string>`'{"id":' || ${text(f.id)}
        || ',"first_name":' || ${text(f.first_name)}
        || ',"last_name":' || ${text(f.last_name)}
        || ',"scopes":' || to_json(string_to_array(${f.scopes}, ' '))::text
        || ',"display_name":' || ${text(f.display_name)}
        || ',"is_managed":' || case when ${f.manager_id} is null then 'false' else 'true' end
        || '}'`
    : sql<string>`json_object(
        'id', ${f.id},
        'first_name', ${f.first_name},
        'last_name', ${f.last_name},
        'scopes', json('["' || replace(${f.scopes}, ' ', '","') || '"]'),
        'display_name', ${f.display_name},
        'is_managed', json(iif(${f.manager_id} is null, 'false', 'true'))
      )`;
}

/**
 * The line of the user `userId` with `scopes` (a column or expression holding the stored form),
 * read from the user's row; NULL when there is no such user.
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
