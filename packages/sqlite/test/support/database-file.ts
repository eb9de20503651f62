import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";

/** The tables the migrations create (1, 4: deleted_users, 7, 8, 10: webhooks); none at version 0. */
export const SCHEMA_TABLES = [
  "authorizations",
  "consent_log",
  "deleted_users",
  "memberships",
  "refresh_tokens",
  "teams",
  "users",
  "webhook_deliveries",
  "webhook_outbox",
  "webhooks",
] as const;

const dirs: string[] = [];

/** A fresh folder for one test's databases, removed by `removeTempDirs`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "teams-sqlite-durability-"));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface FileState {
  integrity: string;
  /** Names of the tables, sorted. */
  tables: string[];
  /** teams_schema.version, 0 when the table or its row is absent. */
  version: number;
}

/**
 * Opens a file the way any other program would (plain better-sqlite3, none of the store's code),
 * which also recovers a WAL left by a killed process, and reports what a user would look at.
 */
export function inspectFile(filename: string): FileState {
  const db = new BetterSqlite3(filename, { timeout: 5000 });
  try {
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("\n");
    const tables = (
      db
        .prepare(
          // SQLite's own tables (statistics) are not the store's.
          "select name from sqlite_master where type = 'table' and name not like 'sqlite%' order by name",
        )
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    const row = tables.includes("teams_schema")
      ? (db.prepare("select version from teams_schema where id = 1").get() as
          | { version: number }
          | undefined)
      : undefined;
    return { integrity, tables, version: row?.version ?? 0 };
  } finally {
    db.close();
  }
}

/** Key of an authorization: user and team. */
export const pairKey = (user: string, team: string) => `${user} ${team}`;

/** A scope set in a form that compares equal however it was written (order, duplicates). */
export const scopeSetKey = (scopes: readonly string[]) => [...new Set(scopes)].sort().join(" ");

/** Every authorization in the file, as pair key -> scope set key. */
export function readAuthorizations(filename: string): Map<string, string> {
  const db = new BetterSqlite3(filename, { timeout: 5000 });
  try {
    const rows = db.prepare("select user_id, team_id, scopes from authorizations").all() as {
      user_id: string;
      team_id: string;
      scopes: string;
    }[];
    return new Map(
      rows.map((r) => [pairKey(r.user_id, r.team_id), scopeSetKey(r.scopes.split(" "))]),
    );
  } finally {
    db.close();
  }
}
