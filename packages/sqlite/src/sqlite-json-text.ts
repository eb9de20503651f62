import type { JsonField } from "@teams/core";
import { type RawBuilder, sql } from "kysely";

/**
 * An SQLite expression whose value is the JSON text of the object made of `fields`, in their order.
 *
 * Contract: byte for byte what `JSON.stringify` writes for the same object read from the row:
 * compact, `null` for NULL, JSON.stringify's escapes (`\"`, `\\`, `\b \f \n \r \t`, `\u00xx` in
 * lower case for other control characters, every other character as it is, non-BMP ones too).
 * SQLite's `json_object` writes exactly that (a test compares the two on awkward values); lists
 * are answered as these texts joined, so a client reads the same bytes from either store.
 * Keys are the core's own (letters and `_`) and are not escaped.
 */
export function sqliteJsonObject(fields: readonly JsonField[]): RawBuilder<string> {
  const args = fields.map((field) => {
    const key = sql.lit(field.key);
    if ("text" in field) return sql`${key}, ${field.text}`;
    // The stored form is words of [a-z_:] separated by one space: quoting each word is enough, and
    // json() makes the array JSON rather than text to be quoted again. The empty set is `[]` (as
    // PostgreSQL's string_to_array gives it), not one empty word.
    if ("scopes" in field) {
      const words = sql`'["' || replace(${field.scopes}, ' ', '","') || '"]'`;
      return sql`${key}, json(iif(${field.scopes} = '', '[]', ${words}))`;
    }
    return sql`${key}, json(iif(${field.present} is null, 'false', 'true'))`;
  });
  return sql<string>`json_object(${sql.join(args)})`;
}
