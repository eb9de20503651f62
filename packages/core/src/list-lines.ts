import { type Expression, type RawBuilder, sql } from "kysely";
import type { StoreKind } from "./store-kind.js";

// A list's answer as the stores write it: each line (one item of the JSON array) is the JSON text
// of the item, built by the store (`StoreKind.jsonObject`, byte for byte what JSON.stringify
// writes), so no value of it is built in JavaScript and nothing is serialized again. better-sqlite3
// spends about 0.35 µs a row and 0.1 µs a value building JavaScript values, more than SQLite spends
// finding them; JSON.stringify then costs as much again. This module says which fields a line has;
// the stores say how their SQL writes JSON.

/** The JSON text of one item of a list: what `JSON.stringify(item)` writes. */
export type JsonLine<T> = string & { readonly __item?: T };

/** The lines as one JSON array text: what `JSON.stringify` of the items would write. */
export const arrayText = <T>(lines: readonly JsonLine<T>[]): string => `[${lines.join(",")}]`;

/** The items the lines hold, read at once (one parse of the whole array). */
export const parseLines = <T>(lines: readonly JsonLine<T>[]): T[] =>
  JSON.parse(arrayText(lines)) as T[];

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
export function summaryJson(kind: StoreKind, f: SummaryFields): RawBuilder<string> {
  return kind.jsonObject([
    { key: "id", text: f.id },
    { key: "first_name", text: f.first_name },
    { key: "last_name", text: f.last_name },
    { key: "scopes", scopes: f.scopes },
    { key: "display_name", text: f.display_name },
    { key: "is_managed", present: f.manager_id },
  ]);
}

/**
 * The line of the user `userId` with `scopes` (a column or expression holding the stored form),
 * read from the user's row; NULL when there is no such user. An authorization stores it (migration
 * 3), written inside the statement that writes the authorization, so nothing can change the user
 * in between; `store-writes` rebuilds it whenever the user or the scopes change.
 */
export function userSummaryJson(
  kind: StoreKind,
  userId: Expression<string> | string,
  scopes: Expression<string>,
): RawBuilder<string> {
  const line = summaryJson(kind, {
    id: sql.ref("u.id"),
    first_name: sql.ref("u.first_name"),
    last_name: sql.ref("u.last_name"),
    scopes,
    display_name: sql.ref("u.display_name"),
    manager_id: sql.ref("u.manager_id"),
  });
  const id = typeof userId === "string" ? sql.val(userId) : userId;
  return sql<string>`(select ${line} from users u where u.id = ${id})`;
}

/** The columns of a team that a line of a user's authorized teams shows, in the answer's order. */
const TEAM_FIELDS = ["id", "name", "description", "url", "image", "privacy_statement"] as const;

/**
 * The JSON text of an `AuthorizedTeamResponse` (with `granted_at` and `updated_at` when `times`):
 * a line of a user's authorized teams, built as the list is read (a team's details are not copied
 * into every authorization).
 */
export function authorizedTeamJson(kind: StoreKind, times: boolean): RawBuilder<string> {
  return kind.jsonObject([
    ...TEAM_FIELDS.map((column) => ({
      key: column,
      text: sql.ref(`teams.${column}`) as Expression<string>,
    })),
    { key: "scopes", scopes: sql.ref("authorizations.scopes") },
    ...(times
      ? [
          { key: "granted_at", text: sql.ref("authorizations.granted_at") as Expression<string> },
          { key: "updated_at", text: sql.ref("authorizations.updated_at") as Expression<string> },
        ]
      : []),
  ]);
}
