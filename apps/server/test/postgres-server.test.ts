import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, type ServerProcess, startServerProcess } from "./process.js";
import {
  dataDir,
  developmentTokens,
  type FreshDatabase,
  freshDatabase,
  httpCaller,
  noPostgres,
  quoteIdent,
  withAdmin,
} from "./support/postgres.js";
import { restStory } from "./support/rest-story.js";

// The start command with TEAMS_DATABASE=postgres://…: the same service as on SQLite, a readiness
// probe that follows the database, and a plain message when the database is not there.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  // Servers first (they hold connections), then the databases and folders they used.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function database(): Promise<FreshDatabase> {
  const db = await freshDatabase();
  cleanups.push(() => db.drop());
  return db;
}

function folder(): string {
  const dir = dataDir();
  cleanups.push(() => dir.remove());
  return dir.path;
}

async function server(env: Record<string, string>): Promise<ServerProcess> {
  const started = await startServerProcess(env);
  cleanups.push(async () => {
    started.child.kill("SIGTERM");
    await started.exited;
  });
  return started;
}

describe.skipIf(noPostgres)("the start command on PostgreSQL", () => {
  it("tells the whole story with the same statuses and bodies as on SQLite", async () => {
    const pg = await database();
    const pgDir = folder();
    const sqliteDir = folder();
    const [onPostgres, onSqlite] = await Promise.all([
      server({ PORT: "0", TEAMS_DATABASE: pg.url, TEAMS_DATA_DIR: pgDir }),
      server({ PORT: "0", TEAMS_DATABASE: join(sqliteDir, "teams.db") }),
    ]);
    expect(onPostgres.output()).toContain("(store: PostgreSQL)");

    const viaPostgres = await restStory(httpCaller(onPostgres.url, await developmentTokens(pgDir)));
    const viaSqlite = await restStory(httpCaller(onSqlite.url, await developmentTokens(sqliteDir)));
    expect(viaPostgres).toEqual(viaSqlite);
    // The story went as the rules say: the refusals of packages/client/test/scenario.test.ts, in place.
    expect(viaPostgres.map((o) => o.status)).toEqual([
      200, 201, 200, 201, 200, 200, 200, 200, 200, 200, 200, 200, 422, 422, 403, 401, 404, 403, 403,
      200, 200, 200, 200, 204, 200, 204, 200,
    ]);
    expect(viaPostgres[6]?.body).toEqual([
      {
        id: "<mia>",
        first_name: "Mia",
        last_name: "Managed",
        scopes: ["data:read", "profile"],
        display_name: "Mia Managed",
        is_managed: true,
      },
    ]);
    expect(viaPostgres.at(-1)?.body).toEqual([]);
  });

  it("loads the demo and mints tokens with the CLI against PostgreSQL", async () => {
    const pg = await database();
    const env = { PORT: "0", TEAMS_DATABASE: pg.url, TEAMS_DATA_DIR: folder() };
    const demo = await runCli(["demo"], env);
    expect(demo.code, demo.stderr).toBe(0);
    const tokens = Object.fromEntries(
      [...demo.stdout.matchAll(/^export (TOKEN_\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]),
    ) as Record<string, string>;
    expect(Object.keys(tokens)).toHaveLength(6);
    const minted = await runCli(["token", "--sub", "carl"], env);
    expect(minted.code, minted.stderr).toBe(0);

    const running = await server(env);
    const get = (path: string, token: string | undefined) =>
      fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const users = await get("/api/v1/teams/club/users", tokens.TOKEN_COACH);
    expect(users.status).toBe(200);
    expect(((await users.json()) as { id: string }[]).map((u) => u.id)).toEqual([
      "ann",
      "ben",
      "carl",
    ]);
    const carl = await get("/api/v1/teams/authorized", minted.stdout.trim());
    expect(carl.status).toBe(200);
    expect(((await carl.json()) as { id: string; scopes: string[] }[]).map((t) => t.id)).toEqual([
      "club",
    ]);
  });

  it("is ready while the database answers, 503 while it is gone, and recovers by itself", async () => {
    const pg = await database();
    const dir = folder();
    const running = await server({ PORT: "0", TEAMS_DATABASE: pg.url, TEAMS_DATA_DIR: dir });
    const call = httpCaller(running.url, await developmentTokens(dir));
    const get = (path: string) => fetch(`${running.url}${path}`);
    expect((await get("/readyz")).status).toBe(200);
    const team = { name: "Crew", url: "https://c.example/", image: "https://c.example/i.png" };
    const created = await call({ sub: "coach" }, "POST", "/api/v1/teams/", {
      ...team,
      description: "",
      privacy_statement: "https://c.example/p",
    });
    expect(created.status).toBe(201);

    // The database goes away: no new connection is accepted and the open ones are cut.
    const ident = quoteIdent(pg.name);
    const setConnections = (allowed: boolean) =>
      withAdmin((db) =>
        sql.raw(`alter database ${ident} with allow_connections ${allowed}`).execute(db),
      );
    await setConnections(false);
    cleanups.push(() => setConnections(true)); // so the drop after a failure still finds it usable
    const cut = await withAdmin((db) =>
      sql<{ pid: number }>`select pg_terminate_backend(pid) as pid from pg_stat_activity
        where datname = ${pg.name} and pid <> pg_backend_pid()`.execute(db),
    );
    expect(cut.rows.length).toBeGreaterThan(0);

    expect(await eventually(async () => (await get("/readyz")).status, 503)).toBe(503);
    const notReady = await get("/readyz");
    expect(notReady.headers.get("retry-after")).toBe("1");
    expect(await notReady.json()).toEqual({
      detail: "The store is not answering",
      checks: { database: "failing", webhook_outbox: "failing" },
    });
    expect((await get("/healthz")).status).toBe(200);
    // The API says "not now", never 500.
    const during = await call({ sub: "coach" }, "GET", "/api/v1/teams/");
    expect(during.status, running.output()).toBe(503);

    // The database is back: the same process serves again, with what it had written.
    await setConnections(true);
    expect(await eventually(async () => (await get("/readyz")).status, 200)).toBe(200);
    const after = await call({ sub: "coach" }, "GET", "/api/v1/teams/");
    expect(after.status).toBe(200);
    expect((after.body as { name: string }[]).map((t) => t.name)).toEqual(["Crew"]);
    expect(running.child.exitCode).toBeNull();
  });
});

// Needs no PostgreSQL at all: nothing listens on port 1.
describe("a PostgreSQL that cannot be reached at start", () => {
  it("stops the start command within seconds with one line naming where it looked", async () => {
    const started = Date.now();
    const failed = await startServerProcess({
      PORT: "0",
      TEAMS_DATABASE: "postgres://postgres@127.0.0.1:1/x",
      TEAMS_DATA_DIR: folder(),
    }).then(
      () => "started",
      (error: Error) => error.message,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed).toMatch(/^server exited with [1-9]\d*:\n/);
    const output = failed.replace(/^server exited with \d+:\n/, "");
    expect(output).toMatch(/Cannot reach PostgreSQL at 127\.0\.0\.1:1\b/);
    expect(output).not.toMatch(/^\s+at /m); // no stack trace
    expect(output.trim().split("\n")).toHaveLength(1);
  });
});

/** Polls `probe` until it returns `want` (at most 10 s); returns the last value seen. */
async function eventually<T>(probe: () => Promise<T>, want: T): Promise<T> {
  const deadline = Date.now() + 10_000;
  let seen = await probe();
  while (seen !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await probe();
  }
  return seen;
}
