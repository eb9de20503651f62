import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthenticator } from "@teams/auth";
import type { Database } from "@teams/core";
import { openPostgresStore } from "@teams/postgres";
import { type Kysely, sql } from "kysely";

/** The server the tests use; each test works in a database of its own and drops it. */
export const TEST_URL =
  process.env.TEAMS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The same URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * Runs `fn` on a small pool of its own to `url` (default: the maintenance database `postgres`,
 * where databases are created and dropped), then closes it. The store's own factory with
 * `migrate: false` is the connection: this package depends on @teams/postgres, not on `pg`.
 */
export async function withAdmin<T>(
  fn: (db: Kysely<Database>) => Promise<T>,
  url = withDatabase(TEST_URL, "postgres"),
): Promise<T> {
  const store = await openPostgresStore({
    url,
    migrate: false,
    max: 2,
    statementTimeoutMs: 0,
    connectionTimeoutMs: 3000,
  });
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

/** Why the PostgreSQL tests are skipped, or null when the server answers. Asked once per file. */
export const skipReason: string | null = await withAdmin(async () => null).catch(
  (error: unknown) => (error instanceof Error ? error.message : String(error)),
);
export const noPostgres = skipReason !== null;
if (skipReason !== null) {
  console.log(
    `PostgreSQL tests skipped: ${redact(TEST_URL)} did not answer (${skipReason}). ` +
      "Start PostgreSQL or set TEAMS_TEST_POSTGRES_URL to run them.",
  );
}

/** Quotes an identifier for the statements that cannot take parameters (CREATE/ALTER DATABASE). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface FreshDatabase {
  name: string;
  /** TEAMS_DATABASE for a server on this database. */
  url: string;
  /** Drops it, cutting whatever connections are left. */
  drop(): Promise<void>;
}

/** An empty database no other test uses, so a server started on it migrates from nothing. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `teams_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withAdmin((db) => sql.raw(`create database ${quoteIdent(name)}`).execute(db));
  return {
    name,
    url: withDatabase(TEST_URL, name),
    drop: () =>
      withAdmin((db) =>
        sql.raw(`drop database if exists ${quoteIdent(name)} with (force)`).execute(db),
      ).then(() => undefined),
  };
}

export interface DataDir {
  path: string;
  remove(): void;
}

/** A temporary TEAMS_DATA_DIR: where development mode keeps the key the tokens are signed with. */
export function dataDir(): DataDir {
  const path = mkdtempSync(join(tmpdir(), "teams-pg-server-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Who {
  sub: string;
  azp?: string;
  scope?: string;
}

/**
 * Mints development tokens as `teams token` does (same key file in `dir`), in process: spawning
 * the CLI for each of dozens of tokens would cost a second apiece.
 */
export async function developmentTokens(dir: string): Promise<(who: Who) => Promise<string>> {
  const authenticator = await createAuthenticator({ dataDir: dir });
  const mint = authenticator.mintToken;
  if (!mint) throw new Error("development mode is not available");
  const cache = new Map<string, Promise<string>>();
  return (who) => {
    const key = JSON.stringify([who.sub, who.azp ?? null, who.scope ?? null]);
    let minted = cache.get(key);
    if (!minted) {
      minted = mint({
        sub: who.sub,
        ...(who.azp ? { azp: who.azp } : {}),
        scope: who.scope ?? "data:read data:write profile",
        ttlSeconds: 3600,
      });
      cache.set(key, minted);
    }
    return minted;
  };
}

export interface HttpOutcome {
  status: number;
  body: unknown;
}

/** A REST caller over real HTTP: JSON in, status and parsed JSON out. */
export function httpCaller(baseUrl: string, tokens: (who: Who) => Promise<string>) {
  return async (who: Who, method: string, path: string, body?: unknown): Promise<HttpOutcome> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await tokens(who)}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
}
