import type { Logger } from "pino";
import type { RequestFacts } from "./request-facts.js";

/**
 * The one line of a request: `request_id`, `method`, `route` (the matched route's pattern, never
 * the path, so no identifier and no query string reaches the log), `status`, `duration_ms` (to
 * the answer's headers), and when known the caller's `sub` and `azp` and a refusal's `reason`.
 * Nothing a client sends is written raw: pino's JSON encoding escapes every field, so no line can
 * be forged or split, and no header (credentials) is ever read here.
 */
export function logRequest(
  logger: Logger,
  facts: RequestFacts,
  method: string,
  route: string,
  status: number,
  started: number,
): void {
  const line: Record<string, unknown> = {
    request_id: facts.id,
    method,
    route,
    status,
    duration_ms: Math.round((performance.now() - started) * 100) / 100,
  };
  if (facts.sub !== undefined) line.sub = facts.sub;
  if (facts.azp !== undefined) line.azp = facts.azp;
  if (facts.reason !== undefined) line.reason = facts.reason;
  if (status >= 500) logger.error(line, "request");
  else logger.info(line, "request");
}
