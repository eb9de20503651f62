import type { JsonField } from "@teams/core";
import { type RawBuilder, sql } from "kysely";

// Lists are answered as the JSON text the store builds for each item (see StoreKind.jsonObject):
// no value of an item is built in JavaScript and nothing is serialized again. PostgreSQL's
// json_build_object spaces its output (`{"a" : 1}`), so the text is joined from to_json pieces,
// which write what JSON.stringify writes: compact, keys in the given order, the same escapes
// (to_json of text escapes `"`, `\` and control characters as JSON.stringify does).

/** The JSON text of an object of `fields` (keys are the core's own, never escaped). */
export function postgresJsonObject(fields: readonly JsonField[]): RawBuilder<string> {
  const parts = fields.map((field, i) => {
    const label = sql.lit(`${i === 0 ? "{" : ","}"${field.key}":`);
    if ("text" in field) return sql`${label} || coalesce(to_json(${field.text})::text, 'null')`;
    if ("scopes" in field) {
      return sql`${label} || to_json(string_to_array(${field.scopes}, ' '))::text`;
    }
    return sql`${label} || case when ${field.present} is null then 'false' else 'true' end`;
  });
  return sql<string>`(${sql.join(parts, sql` || `)} || '}')`;
}
