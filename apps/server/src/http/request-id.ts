import { randomUUID } from "node:crypto";

/**
 * A request id a client or proxy may choose: 1 to 128 of letters, digits and `.`, `_`, `:`, `-`
 * (UUIDs, ULIDs, W3C trace ids, `host:counter` forms). Anything else is replaced, never trimmed.
 */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's `X-Request-Id` when well-formed, else a new random UUID. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given !== null && WELL_FORMED.test(given) ? given : randomUUID();
}
