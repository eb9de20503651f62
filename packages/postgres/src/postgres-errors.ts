import { TeamsError, Unavailable } from "@teams/core";

/** Socket errors of Node's `net`/`dns`: the server is down, restarting, or out of reach. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** What `pg` throws, without a code, when a connection is lost or cannot be had in time. */
const NETWORK_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Query read timeout/,
];

interface Verdict {
  message: string;
  retryAfterSeconds: number;
}

const unreachable: Verdict = { message: "The database cannot be reached", retryAfterSeconds: 5 };

/** The SQLSTATEs (or classes) that mean "not now" rather than "never": see PostgreSQL's appendix A. */
function classify(sqlstate: string): Verdict | undefined {
  switch (sqlstate) {
    case "57014": // query_canceled: statement_timeout (or a cancel request)
      return { message: "The database took too long to answer", retryAfterSeconds: 1 };
    case "55P03": // lock_not_available: lock_timeout, NOWAIT
      return { message: "The database is busy; try again", retryAfterSeconds: 1 };
    case "53300": // too_many_connections
      return { message: "The database has no free connection", retryAfterSeconds: 1 };
    case "53100": // disk_full
      return { message: "The database's disk is full", retryAfterSeconds: 30 };
    case "25006": // read_only_sql_transaction: a standby, or a primary being failed over
      return { message: "The database cannot be written (read-only)", retryAfterSeconds: 30 };
    case "57P01": // admin_shutdown
    case "57P02": // crash_shutdown
    case "57P03": // cannot_connect_now: starting up, shutting down, in recovery
    case "57P05": // idle_session_timeout: the server closed an idle connection
    case "25P03": // idle_in_transaction_session_timeout: likewise, mid-transaction
      return unreachable;
  }
  if (sqlstate.startsWith("08")) return unreachable; // connection_exception
  if (sqlstate.startsWith("53")) {
    return { message: "The database is short of resources", retryAfterSeconds: 5 };
  }
  return undefined;
}

/** A SQLSTATE is five digits or capital letters; Node's `EPIPE` also is, so sockets are checked first. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Turns an error of `pg` that means "the store cannot serve this now" into `Unavailable` (HTTP 503,
 * nothing changed); anything else passes through unchanged. Serialization failures and deadlocks
 * (40001, 40P01) pass with their `code`, since the core retries them.
 */
export function translatePostgresError(error: unknown): unknown {
  if (error === null || typeof error !== "object" || error instanceof TeamsError) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const options = { cause: error };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) {
      return new Unavailable(unreachable.message, unreachable.retryAfterSeconds, options);
    }
    // 55000 with FATAL, at connect: the database is not accepting connections (ALTER DATABASE ...
    // ALLOW_CONNECTIONS false, maintenance). Not now rather than never; elsewhere 55000 is a bug.
    if (code === "55000" && (error as { severity?: unknown }).severity === "FATAL") {
      return new Unavailable("The database is not accepting connections", 5, options);
    }
    const verdict = SQLSTATE.test(code) ? classify(code) : undefined;
    return verdict ? new Unavailable(verdict.message, verdict.retryAfterSeconds, options) : error;
  }
  if (typeof message === "string" && NETWORK_MESSAGES.some((m) => m.test(message))) {
    return new Unavailable(unreachable.message, unreachable.retryAfterSeconds, options);
  }
  return error;
}
