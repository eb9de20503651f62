import { createHash } from "node:crypto";
import {
  applyMigrations,
  type Database,
  type StoreKind,
  TeamsError,
  Unavailable,
} from "@teams/core";
import { Kysely, type Logger, type PostgresPool, sql, type Transaction } from "kysely";
import pg from "pg";
import { TranslatingPostgresDialect } from "./postgres-dialect.js";
import { postgresStoreKind } from "./postgres-store-kind.js";

export interface PostgresStoreOptions {
  /**
   * `postgres://user:password@host:port/database`: the store creates a pool from it and `close`
   * ends that pool. Give `url` or `pool`, not both.
   */
  url?: string;
  /**
   * A pool of your own; `close` leaves it open. `max`, `statementTimeoutMs` and
   * `connectionTimeoutMs` are then refused: set them on the pool. Its connections get the
   * `search_path` of `schema`, so give the store a pool it does not share.
   */
  pool?: pg.Pool;
  /**
   * The PostgreSQL schema that holds the tables, created if missing; every connection's
   * `search_path` is set to it. Default: none, the connection's own `search_path` (usually `public`).
   */
  schema?: string;
  /** Most connections the created pool opens. Default 10. */
  max?: number;
  /**
   * Longest a statement may run, in milliseconds, before the server cancels it and the request is
   * answered `Unavailable`. Default 5000; 0 for no limit. Migrations on open are not limited.
   */
  statementTimeoutMs?: number;
  /**
   * Longest a request waits for a connection (a new one, or a free one of the pool), in
   * milliseconds, before it is answered `Unavailable`. Default 5000.
   */
  connectionTimeoutMs?: number;
  /** Run migrations on open, under an advisory lock, all or nothing. Default true. */
  migrate?: boolean;
  /**
   * Told of every query after it ran, with its duration or its error (Kysely's `log`), for
   * metrics and traces; called in the async context of the query's caller. Default none (Kysely
   * then adds nothing around queries).
   */
  log?: Logger;
  /** See `TranslatingPostgresDialectOptions.onQueryError`: each failed query, for metrics. Default none. */
  onQueryError?: (error: unknown) => void;
}

/** How many connections the pool holds (`total`), how many of them are free, and who waits. */
export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
  /** The most the pool opens (`max`). */
  max: number;
}

/** An open PostgreSQL store: what `createTeams(store)` takes, and its lifecycle. */
export interface PostgresStore {
  db: Kysely<Database>;
  /** What the store is, for `createTeams({ db, kind })`. */
  kind: StoreKind;
  /**
   * The schema versions this open applied, in order (none when the schema was up to date, or
   * another instance starting at the same time applied them).
   */
  migrated: readonly number[];
  /** Answers when the store can serve a read (for readiness checks); throws `Unavailable` otherwise. */
  ping(): Promise<void>;
  /** The pool's connections now: open, idle, and requests waiting for one (for metrics). */
  poolUse(): PoolUse;
  /** Ends the pool the store created (not one it was given); in-flight work should have finished. */
  close(): Promise<void>;
}

/**
 * The advisory lock key under which a schema is migrated: the same in every process, different per
 * schema, and unlikely to collide with another application's keys.
 */
export function migrationLockKey(schema: string): bigint {
  return createHash("sha256").update(`teams\0${schema}`).digest().readBigInt64BE(0);
}

/**
 * Opens a Teams store on PostgreSQL: a pool whose errors are translated (outages and timeouts
 * become `Unavailable`; serialization failures keep their SQLSTATE for the core's retry), the schema
 * created if missing, and migrations run once under an advisory lock even when several instances
 * start together. A database written by a newer release is refused with `SchemaTooNew`; a server
 * that cannot be reached with `Unavailable` naming host and port.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { url, schema } = options;
  if ((url === undefined) === (options.pool === undefined)) {
    throw new TypeError("openPostgresStore needs either `url` or `pool`");
  }
  if (schema !== undefined && !/^[^\0]{1,63}$/u.test(schema)) {
    throw new TypeError("`schema` must be 1 to 63 characters");
  }
  if (
    options.pool &&
    (options.max ?? options.statementTimeoutMs ?? options.connectionTimeoutMs) !== undefined
  ) {
    throw new TypeError(
      "`max`, `statementTimeoutMs` and `connectionTimeoutMs` apply to a pool the store creates; set them on your pool",
    );
  }
  const pool = options.pool ?? createPool(url ?? "", options);
  const owned = options.pool === undefined;
  const db = new Kysely<Database>({
    dialect: new TranslatingPostgresDialect(
      { pool: kyselyPool(pool, owned, schema) },
      options.onQueryError ? { onQueryError: options.onQueryError } : {},
    ),
    ...(options.log && { log: options.log }),
  });
  let migrated: number[];
  try {
    migrated = await prepare(db, schema, options.migrate ?? true);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw startError(error, pool);
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    kind: postgresStoreKind,
    migrated,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw error instanceof Unavailable
          ? error
          : new Unavailable("The database cannot serve reads", 5, { cause: error });
      }
    },
    poolUse: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    }),
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/** How much longer than the statement timeout a client waits for any answer at all. */
const CLIENT_TIMEOUT_MARGIN_MS = 2000;

function createPool(url: string, options: PostgresStoreOptions): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    statement_timeout: statementTimeout,
    // The server enforces statement_timeout; a server that stops answering altogether (frozen
    // host, partition) is caught by the client's own timeout, a little later.
    ...(statementTimeout > 0 ? { query_timeout: statementTimeout + CLIENT_TIMEOUT_MARGIN_MS } : {}),
    fallback_application_name: "teams",
  });
  // An idle connection the server closes (restart, failover) is reported here and dropped by the
  // pool; without a listener the 'error' event would end the process.
  pool.on("error", ignore);
  return pool;
}

function ignore(): void {}

/** The pool as Kysely sees it: connections prepared once, and `end` only for a pool we created. */
function kyselyPool(pool: pg.Pool, owned: boolean, schema: string | undefined): PostgresPool {
  const prepared = new WeakSet<pg.PoolClient>();
  const timedOut = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      // A client whose query timed out on our side still has that query (and maybe an open
      // transaction whose ROLLBACK never went out) on its connection: it must never serve
      // another request, or a later COMMIT could land a write that was answered 503.
      // (The pool gives a client a new release() at every checkout, so it is wrapped each time.)
      const release = client.release.bind(client);
      client.release = (destroy?: Error | boolean) =>
        release(destroy ?? (timedOut.has(client) || undefined));
      if (prepared.has(client)) return client;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
        ...args: unknown[]
      ) => {
        const result = query(...args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (error instanceof Error && /^Query read timeout/.test(error.message))
              timedOut.add(client);
          });
        }
        return result;
      };
      // A connection that dies while checked out, between two queries of a transaction, emits an
      // 'error' that would end the process if nobody listened; the next query fails instead.
      client.on("error", ignore);
      if (schema !== undefined) {
        try {
          await client.query(`set search_path to ${pg.escapeIdentifier(schema)}`);
        } catch (error) {
          client.release(true);
          throw error;
        }
      }
      prepared.add(client);
      return client;
    },
    async end() {
      if (owned) await pool.end();
    },
  };
}

/** Creates the schema if missing and migrates it, once, however many instances start together. */
async function prepare(
  db: Kysely<Database>,
  schema: string | undefined,
  migrate: boolean,
): Promise<number[]> {
  // READ COMMITTED: each statement sees what committed before it, so an instance that waited for
  // the lock sees the migrations the holder applied (a serializable snapshot would not).
  return db
    .transaction()
    .setIsolationLevel("read committed")
    .execute(async (trx) => {
      // A long migration (an index on a big table) must not be cut by the per-request timeout.
      await sql`set local statement_timeout = 0`.execute(trx);
      const name = schema ?? (await currentSchema(trx));
      await sql`select pg_advisory_xact_lock(${migrationLockKey(name).toString()}::bigint)`.execute(
        trx,
      );
      if (schema !== undefined) {
        // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
        const found = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(trx);
        if (found.rows.length === 0) {
          await sql`create schema ${sql.id(schema)}`.execute(trx);
        }
      }
      return migrate ? applyMigrations(trx, postgresStoreKind) : [];
    });
}

async function currentSchema(trx: Transaction<Database>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(trx);
  return rows[0]?.name ?? "";
}

/** Where the pool connects, for error messages: host, port and database, never the password. */
function describeServer(pool: pg.Pool): string {
  try {
    // A Client resolves its settings (URL, PG* variables, defaults) as the pool will, unconnected.
    const client = new pg.Client(pool.options);
    return `${client.host}:${client.port} (database ${client.database ?? "?"})`;
  } catch {
    return "the configured server";
  }
}

/** The error `openPostgresStore` throws: a server that cannot be reached names itself and the cause. */
function startError(error: unknown, pool: pg.Pool): unknown {
  if (error instanceof Unavailable) {
    return new Unavailable(
      `Cannot reach PostgreSQL at ${describeServer(pool)}: ${reason(error.cause ?? error)}`,
      error.retryAfterSeconds,
      { cause: error.cause ?? error },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof TeamsError) && typeof code === "string") {
    return new Error(
      `PostgreSQL at ${describeServer(pool)} refused to open the Teams store: ${reason(error)}`,
      { cause: error },
    );
  }
  return error; // SchemaTooNew, or a bug: as it is
}

/** An error's message with its code; Node's AggregateError (IPv4 and IPv6 refused) has no message. */
function reason(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" && message !== "" ? message : "";
  if (typeof code !== "string") return text || String(error);
  return text.includes(code) ? text : text ? `${text} (${code})` : code;
}
