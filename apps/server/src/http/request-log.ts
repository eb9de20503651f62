import type { Logger } from "pino";
import { writtenAt } from "../iso-timestamp.js";
import type { RequestFacts } from "./request-facts.js";

/**
 * The one line of a request: `request_id`, `method`, `route` (the matched route's pattern, never
 * the path, so no identifier and no query string reaches the log), `status`, `duration_ms` (to
 * the answer's headers), and when known the caller's `sub` and `azp` and a refusal's `reason`.
 * Nothing a client sends is written raw: pino's JSON encoding escapes every field, so no line can
 * be forged or split, and no header (credentials) is ever read here.
 *
 * Written late: the line is held and handed to pino with the other lines of the event loop's turn
 * (`setImmediate`), its `time` the instant the request was answered (`writtenAt`). pino's work
 * interleaved with every request's cost a read about 5 µs more than the same calls made together,
 * after the answers went out (issue 18's bench: logs and metrics on, 0.84× the read with them off;
 * 0.87× with lines written late). Contract: lines reach the logger in the order of the answers,
 * before the next turn's I/O; `flushRequestLines` writes the held ones now (the process's exit,
 * a test that reads its log).
 */
export function logRequest(
  logger: Logger,
  facts: RequestFacts,
  method: string,
  route: string,
  status: number,
  started: number,
): void {
  const line: RequestLine = {
    request_id: facts.id,
    method,
    route,
    status,
    duration_ms: Math.round((performance.now() - started) * 100) / 100,
  };
  if (facts.sub !== undefined) line.sub = facts.sub;
  if (facts.azp !== undefined) line.azp = facts.azp;
  if (facts.reason !== undefined) line.reason = facts.reason;
  held.push({ logger, line, at: Date.now() });
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushRequestLines);
  }
}

interface RequestLine {
  request_id: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  sub?: string;
  azp?: string;
  reason?: string;
}

/** Lines answered this turn and not yet written, in order; one queue for every app of the process. */
let held: { logger: Logger; line: RequestLine; at: number }[] = [];
let scheduled = false;

/** Writes the request lines held, in order (see `logRequest`). */
export function flushRequestLines(): void {
  scheduled = false;
  const lines = held;
  held = [];
  for (const { logger, line, at } of lines) {
    writtenAt(at, () =>
      line.status >= 500 ? logger.error(line, "request") : logger.info(line, "request"),
    );
  }
}

// A process that exits with lines held writes them first (this hook is registered when the app is
// loaded, before the logger's destination registers the one that writes out its buffer).
process.once("exit", flushRequestLines);
