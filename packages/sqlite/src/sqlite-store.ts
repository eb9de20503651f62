import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { applyMigrations, type Database, type StoreKind } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, type Logger } from "kysely";
import { ImmediateSqliteDialect } from "./sqlite-dialect.js";
import { translateSqliteError } from "./sqlite-errors.js";
import { applyPragmas, integrityCheck } from "./sqlite-pragmas.js";
import { sqliteStoreKind } from "./sqlite-store-kind.js";

export interface SqliteStoreOptions {
  /** Path of the database file (its folder is created), or `:memory:`. */
  filename: string;
  /**
   * How long a write waits for another process's write lock, in milliseconds, before the request
   * is answered `Unavailable`. Default 5000.
   */
  busyTimeoutMs?: number;
  /** Run migrations on open (under the write lock, all or nothing). Default true. */
  migrate?: boolean;
  /**
   * Told of every query after it ran, with its duration or its error (Kysely's `log`), for
   * metrics and traces; called in the async context of the query's caller. Default none (Kysely
   * then adds nothing around queries).
   */
  log?: Logger;
  /** See `ImmediateSqliteDialectOptions.onQueryError`: each failed statement, for metrics. Default none. */
  onQueryError?: (error: unknown) => void;
}

/** An open SQLite store: what `createTeams(store)` takes, and its lifecycle. */
export interface SqliteStore {
  db: Kysely<Database>;
  /** What the store is (`sqliteStoreKind`), for `createTeams(store)`. */
  kind: StoreKind;
  /** The schema versions this open applied, in order (none when the schema was up to date). */
  migrated: readonly number[];
  /** `PRAGMA integrity_check`'s answer: `ok`, or the problems found. */
  integrityCheck(): string;
  /** Answers when the store can serve a read (for readiness checks); throws `Unavailable` otherwise. */
  ping(): Promise<void>;
  /** Closes the database; in-flight work should have finished. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) a Teams database in SQLite: WAL, `synchronous=FULL`, foreign keys on,
 * a busy timeout, IMMEDIATE write transactions, and the schema migrated to the latest version.
 * A database written by a newer release is refused with `SchemaTooNew`.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (options.filename !== ":memory:" && !options.filename.startsWith("file:")) {
    mkdirSync(dirname(options.filename), { recursive: true });
  }
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(options.filename, { timeout: busyTimeoutMs });
  } catch (error) {
    throw translateSqliteError(error);
  }
  const dialect = new ImmediateSqliteDialect(
    database,
    options.onQueryError ? { onQueryError: options.onQueryError } : {},
  );
  const db = new Kysely<Database>({ dialect, ...(options.log && { log: options.log }) });
  let migrated: number[] = [];
  try {
    applyPragmas(database, busyTimeoutMs);
    if (options.migrate ?? true)
      migrated = await db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let closed = false;
  return {
    db,
    kind: sqliteStoreKind,
    migrated,
    integrityCheck: () => integrityCheck(database),
    async ping() {
      try {
        database.prepare("select 1").get();
      } catch (error) {
        throw translateSqliteError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Closing the handle rather than destroying Kysely: a request still arriving then gets
      // Unavailable (503) from the driver instead of Kysely's raw "driver destroyed" error.
      // Transactions waiting for their shared COMMIT get it first.
      dialect.flush();
      database.close();
    },
  };
}
