import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
} from "node:fs";
import { LATEST_SCHEMA_VERSION, SchemaTooNew } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { integrityCheck } from "./sqlite-pragmas.js";

/** A database file another connection (a running server) has open, so it cannot be replaced. */
export class SqliteInUse extends Error {
  override readonly name = "SqliteInUse";
  constructor(readonly filename: string) {
    super(`${filename} is open in another process (a running server?): stop it first`);
  }
}

/**
 * Copies the database at `source` to `destination` with SQLite's online backup API: a consistent
 * snapshot of every commit made before it started, taken while a server keeps writing. The pages
 * are copied in one step after the first, so a busy writer cannot keep restarting the copy (each
 * step reads one snapshot; WAL readers never block writers). Written to `<destination>.partial`
 * first and renamed when complete, so a cut copy never looks like a backup.
 */
export async function backupSqliteFile(
  source: string,
  destination: string,
): Promise<{ pages: number }> {
  const database = new BetterSqlite3(source, { fileMustExist: true, timeout: 5000 });
  const partial = `${destination}.partial`;
  try {
    rmSync(partial, { force: true });
    const { totalPages } = await database.backup(partial, { progress: () => 1_000_000_000 });
    syncFile(partial);
    renameSync(partial, destination);
    return { pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    database.close();
  }
}

/** `backup`'s integrity (`ok` or the problems) and schema version, read without changing it. */
export function inspectSqliteFile(filename: string): { integrity: string; schemaVersion: number } {
  const database = new BetterSqlite3(filename, { fileMustExist: true, readonly: true });
  try {
    const integrity = integrityCheck(database);
    const hasSchema = database
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'teams_schema'")
      .get();
    const row = hasSchema
      ? (database.prepare("select version from teams_schema where id = 1").get() as
          | { version: number }
          | undefined)
      : undefined;
    return { integrity, schemaVersion: row?.version ?? 0 };
  } finally {
    database.close();
  }
}

/**
 * Whether another connection has `filename` open. Leaving WAL mode needs the only connection, so
 * a server that has the file open (even idle) makes the switch fail busy; the file is left in
 * rollback mode otherwise, which is harmless: it is about to be replaced, and a store reopening
 * it sets WAL again.
 */
function assertNotInUse(filename: string): void {
  const database = new BetterSqlite3(filename, { fileMustExist: true, timeout: 0 });
  try {
    const mode = database.pragma("journal_mode = DELETE", { simple: true });
    if (mode !== "delete") throw new SqliteInUse(filename);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new SqliteInUse(filename);
    }
    throw error;
  } finally {
    database.close();
  }
}

/**
 * Puts the backup at `backup` in place of the database at `target`, which no process may have
 * open (SqliteInUse otherwise). The backup must pass `PRAGMA integrity_check` and be of a schema
 * this release knows (SchemaTooNew otherwise); nothing is changed when it does not. The copy is
 * made beside the target and renamed over it, after any stale `-wal`/`-shm` is removed (a WAL
 * of the old file replayed on the restored one would corrupt it).
 */
export function restoreSqliteFile(backup: string, target: string): void {
  const { integrity, schemaVersion } = inspectSqliteFile(backup);
  if (integrity !== "ok") throw new Error(`${backup} fails its integrity check: ${integrity}`);
  if (schemaVersion > LATEST_SCHEMA_VERSION) {
    throw new SchemaTooNew(schemaVersion, LATEST_SCHEMA_VERSION);
  }
  if (existsSync(target)) assertNotInUse(target);
  const staging = `${target}.restoring`;
  try {
    copyFileSync(backup, staging);
    syncFile(staging);
    rmSync(`${target}-wal`, { force: true });
    rmSync(`${target}-shm`, { force: true });
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
}

function syncFile(filename: string): void {
  const fd = openSync(filename, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
