import { flushRequestLines } from "../../src/http/request-log.js";
import { createLogger, type Logger } from "../../src/logger.js";

/**
 * What a test's logger wrote: every line parsed, and the errors of the "unexpected error" lines.
 * Reading any of them first writes the request lines the app still holds (request-log.ts writes
 * them at the end of the event loop's turn), as the server's exit does.
 */
export interface MemoryLog {
  logger: Logger;
  /** Every line, parsed (JSON.parse throws on a line that is not JSON: the test fails). */
  lines: Record<string, unknown>[];
  /** Every line as written. */
  raw: string[];
  /** The `err` of each unexpected-error line, in order. */
  bugs: unknown[];
}

/** The service's JSON logger (TEAMS_LOG=json, its redaction included) writing into memory. */
export async function memoryLogger(): Promise<MemoryLog> {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const bugs: unknown[] = [];
  const logger = await createLogger("json", {
    write(text: string) {
      raw.push(text);
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.msg === "unexpected error") bugs.push(line.err);
    },
  } as never);
  return {
    logger,
    get lines() {
      flushRequestLines();
      return lines;
    },
    get raw() {
      flushRequestLines();
      return raw;
    },
    get bugs() {
      flushRequestLines();
      return bugs;
    },
  };
}
