import { Unavailable } from "@teams/core";

/**
 * Turns a driver error that means "the store cannot serve this now" into `Unavailable` (HTTP 503,
 * nothing changed); anything else passes through unchanged, since it would be a bug to hide.
 */
export function translateSqliteError(error: unknown): unknown {
  const options = { cause: error };
  // better-sqlite3 throws a plain TypeError once the store is closed (shutting down).
  if (error instanceof TypeError && /connection is not open/.test(error.message)) {
    return new Unavailable("The database is closed", 5, options);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new Unavailable("The database is busy; try again", 1, options);
  }
  if (code === "SQLITE_FULL") return new Unavailable("The database's disk is full", 30, options);
  if (code.startsWith("SQLITE_READONLY")) {
    return new Unavailable("The database cannot be written (read-only)", 30, options);
  }
  if (
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_CANTOPEN") ||
    code === "SQLITE_PROTOCOL"
  ) {
    return new Unavailable("The database cannot be reached", 5, options);
  }
  return error;
}
