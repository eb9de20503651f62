import { createTeams, SchemaTooNew, Unavailable } from "@teams/core";
import { sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrationLockKey, openPostgresStore, translatePostgresError } from "../src/index.js";
import {
  dropSchema,
  freshSchema,
  noPostgres,
  openTestStore,
  TEST_URL,
  withClient,
  withDatabase,
} from "./support.js";

const pgError = (code: string, message = `error ${code}`) =>
  Object.assign(new Error(message), { code, severity: "ERROR" });

describe("translatePostgresError", () => {
  it.each([
    ["57014", 1], // statement_timeout
    ["55P03", 1], // lock_timeout
    ["53300", 1], // too many connections
    ["53100", 30], // disk full
    ["53200", 5], // out of memory
    ["25006", 30], // read-only transaction
    ["57P01", 5], // admin shutdown
    ["57P02", 5], // crash shutdown
    ["57P03", 5], // cannot connect now
    ["57P05", 5], // idle session timeout
    ["25P03", 5], // idle in transaction timeout
    ["08006", 5], // connection failure
    ["08001", 5], // unable to connect
    ["08P01", 5], // protocol violation
  ])("SQLSTATE %s becomes Unavailable, retry after %is", (code, retryAfter) => {
    const raw = pgError(code);
    const translated = translatePostgresError(raw);
    expect(translated).toBeInstanceOf(Unavailable);
    expect((translated as Unavailable).retryAfterSeconds).toBe(retryAfter);
    expect((translated as Unavailable).cause).toBe(raw);
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"])(
    "socket error %s becomes Unavailable",
    (code) => {
      expect(translatePostgresError(pgError(code))).toBeInstanceOf(Unavailable);
    },
  );

  it("translates Node's AggregateError of a refused dual-stack connect (no message)", () => {
    const error = Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" });
    expect(translatePostgresError(error)).toBeInstanceOf(Unavailable);
  });

  it.each([
    "Connection terminated unexpectedly",
    "Connection terminated",
    "Connection terminated due to connection timeout",
    "timeout exceeded when trying to connect",
    "Client has encountered a connection error and is not queryable",
  ])("pg's %j becomes Unavailable", (message) => {
    expect(translatePostgresError(new Error(message))).toBeInstanceOf(Unavailable);
  });

  it.each(["40001", "40P01"])("%s passes unchanged, code kept, for the core's retry", (code) => {
    const raw = pgError(code);
    expect(translatePostgresError(raw)).toBe(raw);
  });

  it.each(["23505", "23503", "42P01", "42601", "28P01", "3D000", "XX000"])(
    "%s (a bug or a misconfiguration) passes unchanged",
    (code) => {
      const raw = pgError(code);
      expect(translatePostgresError(raw)).toBe(raw);
    },
  );

  it("leaves core errors, plain errors and non-errors alone", () => {
    const unavailable = new Unavailable("busy");
    expect(translatePostgresError(unavailable)).toBe(unavailable);
    const plain = new Error("something else");
    expect(translatePostgresError(plain)).toBe(plain);
    expect(translatePostgresError("text")).toBe("text");
    expect(translatePostgresError(null)).toBe(null);
  });
});

describe("migrationLockKey", () => {
  it("is fixed per schema and differs between schemas", () => {
    expect(migrationLockKey("a")).toBe(migrationLockKey("a"));
    expect(migrationLockKey("a")).not.toBe(migrationLockKey("b"));
    expect(migrationLockKey("public")).toBe(-632124673319957724n);
  });
});

describe("openPostgresStore: options", () => {
  it("needs exactly one of url and pool, and refuses pool settings with a pool", async () => {
    await expect(openPostgresStore({})).rejects.toThrow(TypeError);
    const pool = new pg.Pool({ connectionString: TEST_URL });
    try {
      await expect(openPostgresStore({ url: TEST_URL, pool })).rejects.toThrow(TypeError);
      await expect(openPostgresStore({ pool, max: 3 })).rejects.toThrow(/set them on your pool/);
      await expect(openPostgresStore({ url: TEST_URL, schema: "x".repeat(64) })).rejects.toThrow(
        TypeError,
      );
    } finally {
      await pool.end();
    }
  });
});

describe("openPostgresStore: a server that cannot be reached", () => {
  it("answers Unavailable naming host and port and the cause, never the password", async () => {
    const started = Date.now();
    const error = await openPostgresStore({
      url: "postgres://teams:s3cret-pw@127.0.0.1:1/teams",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unavailable);
    const message = (error as Error).message;
    expect(message).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(database teams\): /);
    expect(message).toContain("ECONNREFUSED");
    expect(message).not.toContain("s3cret");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives up after connectionTimeoutMs on a server that never answers", async () => {
    // A listening socket that never speaks: the connection opens, the startup reply never comes.
    const { createServer } = await import("node:net");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const error = await openPostgresStore({
        url: `postgres://teams:pw@127.0.0.1:${port}/teams`,
        connectionTimeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unavailable);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});

describe.skipIf(noPostgres)("openPostgresStore on a live server", () => {
  it("names the server and the cause when the database does not exist (not Unavailable)", async () => {
    const error = await openPostgresStore({
      url: withDatabase(TEST_URL, "teams_no_such_database"),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(Unavailable);
    expect((error as Error).message).toMatch(
      /^PostgreSQL at .+:\d+ \(database teams_no_such_database\) refused to open the Teams store: .*does not exist \(3D000\)$/,
    );
  });

  it("answers Unavailable when a statement outlasts statementTimeoutMs", async () => {
    const store = await openTestStore({ statementTimeoutMs: 100 });
    try {
      const started = Date.now();
      const error = await sql`select pg_sleep(2)`.execute(store.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unavailable);
      expect((error as Unavailable).cause).toMatchObject({ code: "57014" });
      expect(Date.now() - started).toBeLessThan(1500);
      // Inside a transaction too; the pool stays usable afterwards.
      const inTrx = await store.db
        .transaction()
        .execute((trx) => sql`select pg_sleep(2)`.execute(trx))
        .catch((e: unknown) => e);
      expect(inTrx).toBeInstanceOf(Unavailable);
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it("tells onQueryError of each failed query, translated, and never of one that succeeded", async () => {
    const failed: unknown[] = [];
    const store = await openTestStore({
      statementTimeoutMs: 100,
      onQueryError: (error) => failed.push(error),
    });
    try {
      await sql`select 1`.execute(store.db);
      await store.db.transaction().execute((trx) => sql`select 2`.execute(trx));
      expect(failed).toEqual([]);
      await expect(sql`select pg_sleep(2)`.execute(store.db)).rejects.toBeInstanceOf(Unavailable);
      await expect(sql`select * from no_such_table`.execute(store.db)).rejects.toThrow();
      expect(failed).toHaveLength(2);
      expect(failed[0]).toBeInstanceOf(Unavailable);
      expect(failed[1]).toMatchObject({ code: "42P01" });
    } finally {
      await store.close();
    }
  });

  it("answers Unavailable when the server ends a connection mid-transaction, then recovers", async () => {
    const store = await openTestStore({ max: 1 });
    try {
      const error = await store.db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          await withClient((c) => c.query("select pg_terminate_backend($1)", [rows[0]?.pid]));
          await sql`select 1`.execute(trx);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unavailable);
      // The dead connection was discarded; the next request gets a new one.
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it("survives the server closing an idle pooled connection", async () => {
    const store = await openTestStore({ max: 1 });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
      await withClient((c) => c.query("select pg_terminate_backend($1)", [rows[0]?.pid]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.ping();
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
      expect(again.rows[0]?.pid).not.toBe(rows[0]?.pid);
    } finally {
      await store.close();
    }
  });

  it("refuses a schema written by a newer release with SchemaTooNew, changing nothing", async () => {
    const store = await openTestStore();
    try {
      await sql`update teams_schema set version = 999`.execute(store.db);
      const error = await openPostgresStore({ url: TEST_URL, schema: store.schema }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SchemaTooNew);
      expect((error as Error).message).toMatch(/schema version 999/);
      const { rows } = await sql<{ version: number }>`select version from teams_schema`.execute(
        store.db,
      );
      expect(rows).toEqual([{ version: 999 }]);
    } finally {
      await store.close();
    }
  });

  it("serves a pool it was given, and leaves it open on close", async () => {
    const schema = freshSchema();
    const pool = new pg.Pool({ connectionString: TEST_URL, max: 2 });
    try {
      const store = await openPostgresStore({ pool, schema });
      const teams = createTeams(store);
      await teams.ensureUser({ id: "someone" });
      await store.close();
      const { rows } = await pool.query(
        `select id from ${pg.escapeIdentifier(schema)}.users order by id`,
      );
      expect(rows).toEqual([{ id: "someone" }]);
    } finally {
      await pool.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
      await pool.end();
    }
  });

  it("ping answers while open; close is idempotent; ping after close is Unavailable", async () => {
    const schema = freshSchema();
    const store = await openPostgresStore({ url: TEST_URL, schema });
    try {
      await store.ping();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toBeInstanceOf(Unavailable);
    } finally {
      await dropSchema(schema);
    }
  });
});
