import type BetterSqlite3 from "better-sqlite3";
import { translateSqliteError } from "./sqlite-errors.js";

/**
 * Sets the pragmas every connection needs. `synchronous` must be set after `journal_mode`, on
 * every open: better-sqlite3 is built to fall back to NORMAL in WAL mode, where a power loss can
 * drop the last commits (an acknowledged revocation among them).
 */
export function applyPragmas(database: BetterSqlite3.Database, busyTimeoutMs: number): void {
  database.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // Switching a new file to WAL needs a moment of exclusive access; another process opening the
  // same new file at once can make it report busy, so it is retried within the busy timeout.
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      database.pragma("journal_mode = WAL");
      break;
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (!code.startsWith("SQLITE_BUSY") || Date.now() > deadline)
        throw translateSqliteError(error);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  database.pragma("synchronous = FULL");
  database.pragma("foreign_keys = ON");
  // Every transaction of a group commit runs in a savepoint, whose journal of the pages it changes
  // SQLite spills to a temporary file past 64 KiB: a few transactions into a batch, every page a
  // transaction touched cost a write to /var/tmp (half the writes of a token refresh). In memory
  // it holds at most one batch's pages (64 transactions), and nothing there needs to survive a
  // crash: the WAL is what commits.
  database.pragma("temp_store = MEMORY");
}

/** `PRAGMA integrity_check`'s answer: `ok`, or the problems it found. */
export function integrityCheck(database: BetterSqlite3.Database): string {
  const rows = database.pragma("integrity_check") as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join("\n");
}
