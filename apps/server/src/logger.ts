import type { Writable } from "node:stream";
import { type DestinationStream, type Logger, pino } from "pino";
import { isoTimestamp } from "./iso-timestamp.js";
import { bufferedStdout } from "./log-destination.js";

export type { Logger };

/** TEAMS_LOG: one JSON object a line (`json`), pino-pretty's lines for a terminal, or nothing. */
export type LogFormat = "json" | "pretty" | "off";

/** Names of fields that carry credentials in a request (headers, form and JSON fields). */
const CREDENTIAL_FIELDS = [
  "authorization",
  "cookie",
  "set-cookie",
  "refreshed-token",
  "token",
  "access_token",
  "refresh_token",
  "client_secret",
  "password",
  "secret",
  "csrf_token",
];

/**
 * Where pino censors them, should anyone ever log a request's headers, body, form or query: at
 * the top level and inside those objects. Named paths rather than wildcards: pino compiles them
 * into a few property checks (a wildcard walks every key of every line, three times the cost of
 * the request line). The request line itself is built from named fields only (no headers, no
 * query string), so this is the second guard.
 */
export const REDACTED_PATHS = ["", "headers", "req.headers", "body", "form", "query"].flatMap(
  (container) =>
    CREDENTIAL_FIELDS.map((name) => {
      const key = /^[a-z_]+$/.test(name) ? name : `["${name}"]`;
      if (container === "") return key;
      return key.startsWith("[") ? `${container}${key}` : `${container}.${key}`;
    }),
);

/**
 * The service's logger: every line a JSON object with an ISO `time` and a `level` word, or
 * pino-pretty's coloured lines, written to `destination` (default standard output, buffered off
 * the request's path). `off` gives a logger that writes nothing.
 */
export async function createLogger(
  format: LogFormat,
  destination?: DestinationStream | Writable,
): Promise<Logger> {
  const options = {
    level: format === "off" ? "silent" : "info",
    base: { service: "teams" },
    timestamp: isoTimestamp(),
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (format === "pretty") {
    // Loaded only when asked for: the JSON service never pays for the prettifier.
    const { default: pretty } = await import("pino-pretty");
    return pino(
      options,
      pretty({
        destination: destination ?? 1,
        colorize: destination === undefined && process.stdout.isTTY === true,
        ignore: "service",
        translateTime: "SYS:HH:MM:ss.l",
        messageFormat: "{msg} {method} {route} {status}",
      }),
    );
  }
  return pino(options, destination ?? bufferedStdout());
}

/**
 * A logger whose lines name the part of the service that wrote them (`component`), for the parts
 * outside a request: start and stop, migrations, keys, webhook deliveries.
 */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child({ component });
}
