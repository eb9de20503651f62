import { ulid } from "ulid";
import { MAX_ID_LENGTH } from "./request-schemas.js";

/** A new opaque identifier: a ULID (sortable by creation time, 26 characters). */
export function newId(): string {
  return ulid();
}

// Control characters (C0, DEL, C1), including NUL, which PostgreSQL cannot store in text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether `id` could name a stored row. Ids that cannot (empty, too long, control characters,
 * broken UTF-16) are refused on create and simply not found on lookup, so they never reach a store.
 */
export function isPlausibleId(id: unknown): id is string {
  return (
    typeof id === "string" &&
    id.length > 0 &&
    id.length <= MAX_ID_LENGTH &&
    !controlCharacters.test(id) &&
    id.isWellFormed()
  );
}
