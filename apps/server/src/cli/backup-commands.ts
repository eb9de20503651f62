import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEVELOPMENT_KEY_FILE, SIGNING_KEYS_FILE } from "@teams/auth";
import type { Config } from "../config.js";
import { UsageError } from "./usage-error.js";

/** The key files of the data folder a backup carries; the database alone cannot verify its tokens. */
const KEY_FILES = [SIGNING_KEYS_FILE, DEVELOPMENT_KEY_FILE];

/** Where a backup's keys go: a folder beside the database copy, readable by its owner only. */
export const keysFolderOf = (file: string) => `${file}.keys`;

export const backupHelp = `teams backup: a consistent copy of the running SQLite database, with its keys

Usage: teams backup <file> [--force]

Copies TEAMS_DATABASE to <file> with SQLite's online backup API (every commit made before the
backup began, while the server keeps serving), and the data folder's signing keys
(${SIGNING_KEYS_FILE}, and ${DEVELOPMENT_KEY_FILE} in development mode) to <file>.keys/,
readable by its owner only: keep both together, and as secret as the keys. <file> stays a plain
SQLite database (sqlite3 <file> opens it). An existing <file> or <file>.keys/ is kept unless
--force. With TEAMS_SIGNING_KEY set, that key is yours to keep. For PostgreSQL, use pg_dump
(see the README).`;

export const restoreHelp = `teams restore: put a backup made by teams backup in place, the server stopped

Usage: teams restore <file> [--force]

Replaces TEAMS_DATABASE with <file> (which must pass PRAGMA integrity_check and be of a schema
this release knows) and the data folder's key files with those of <file>.keys/. Refused while
any process has the database open (stop every server first), and refused without --force when
it would overwrite a database or a key file.`;

function fileArgument(
  command: string,
  args: string[],
  config: Config,
): { file: string; force: boolean } {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: "boolean" } },
    allowPositionals: true,
  });
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) {
    throw new UsageError(`usage: teams ${command} <file> [--force]`);
  }
  return { file: resolve(config.baseDir, file), force: values.force ?? false };
}

function sqliteFile(command: string, config: Config): string {
  if (config.database.kind !== "sqlite" || config.database.filename === ":memory:") {
    throw new UsageError(
      `teams ${command} is for a SQLite file; for PostgreSQL use pg_dump and pg_restore (see the README)`,
    );
  }
  return config.database.filename;
}

/** Copies `name` from `from` to `to` through a temporary file, owner-only, replacing any. */
function copyKey(from: string, to: string, name: string): void {
  const staging = join(to, `.${name}.tmp`);
  copyFileSync(join(from, name), staging);
  chmodSync(staging, 0o600);
  renameSync(staging, join(to, name));
}

/** `teams backup <file> [--force]`: resolves to the lines to print. */
export async function backupCommand(args: string[], config: Config): Promise<string> {
  const { file, force } = fileArgument("backup", args, config);
  const database = sqliteFile("backup", config);
  const keysFolder = keysFolderOf(file);
  if (!force && (existsSync(file) || existsSync(keysFolder))) {
    throw new Error(`${file} or ${keysFolder} exists; give --force to overwrite it`);
  }
  if (!existsSync(database)) throw new Error(`there is no database at ${database}`);
  const { backupSqliteFile } = await import("@teams/sqlite");
  const { pages } = await backupSqliteFile(database, file);
  rmSync(keysFolder, { recursive: true, force: true });
  mkdirSync(keysFolder, { mode: 0o700 });
  const keys = KEY_FILES.filter((name) => existsSync(join(config.dataDir, name)));
  for (const name of keys) copyKey(config.dataDir, keysFolder, name);
  return [
    `Backed up ${database} to ${file} (${pages} pages).`,
    keys.length > 0
      ? `Keys: ${keys.join(", ")} to ${keysFolder}/ (keep them as secret as the keys themselves).`
      : `No key file in ${config.dataDir} (${keysFolder}/ is empty).`,
    ...(config.signingKey !== undefined
      ? ["The signing key comes from TEAMS_SIGNING_KEY: keep it with the backup yourself."]
      : []),
  ].join("\n");
}

/** `teams restore <file> [--force]`: resolves to the lines to print. */
export async function restoreCommand(args: string[], config: Config): Promise<string> {
  const { file, force } = fileArgument("restore", args, config);
  const database = sqliteFile("restore", config);
  if (!existsSync(file)) throw new Error(`there is no backup at ${file}`);
  const keysFolder = keysFolderOf(file);
  const keys = existsSync(keysFolder)
    ? readdirSync(keysFolder).filter((name) => KEY_FILES.includes(name))
    : [];
  const overwritten = [
    ...(existsSync(database) ? [database] : []),
    ...keys.map((name) => join(config.dataDir, name)).filter((path) => existsSync(path)),
  ];
  if (!force && overwritten.length > 0) {
    throw new Error(`${overwritten.join(" and ")} exists; give --force to overwrite it`);
  }
  const { restoreSqliteFile } = await import("@teams/sqlite");
  mkdirSync(resolve(database, ".."), { recursive: true });
  restoreSqliteFile(file, database);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  for (const name of keys) copyKey(keysFolder, config.dataDir, name);
  return [
    `Restored ${file} to ${database}.`,
    keys.length > 0
      ? `Keys: ${keys.join(", ")} to ${config.dataDir}.`
      : `The backup has no key files (${keysFolder}/): tokens the service signed before will not verify.`,
  ].join("\n");
}
