import { LATEST_SCHEMA_VERSION } from "@teams/core";
import { migrationLockKey } from "@teams/postgres";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./process.js";
import {
  dataDir,
  developmentTokens,
  freshDatabase,
  type HttpOutcome,
  httpCaller,
  noPostgres,
  type Who,
  withAdmin,
} from "./support/postgres.js";

// Issue #5's promise: several instances of the service on one PostgreSQL database behave as one.
// Both start together on an empty database (their migrations meet at the lock), then one stream of
// requests is spread over both, and every acknowledged write is read back through the other.

const OPERATIONS = 300;
const SEED = Number(process.env.TEAMS_TEST_SEED ?? 0x5eed);
const GRANTABLE = ["data:read", "data:write", "profile"] as const;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A small seeded generator (mulberry32), so a failing run can be replayed with TEAMS_TEST_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(noPostgres)("two server processes on one PostgreSQL database", () => {
  it("both come up together, migrate once, and read each other's writes", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    const dir = dataDir();
    cleanups.push(() => dir.remove());
    // The development key is made before either starts, so both verify the same tokens (racing
    // to create it is @teams/auth's own test).
    const tokens = await developmentTokens(dir.path);
    const env = { PORT: "0", TEAMS_DATABASE: db.url, TEAMS_DATA_DIR: dir.path, TEAMS_LOG: "off" };

    // Hold the migration lock while both start, so neither migrates before the other is waiting
    // for it: the race is certain, not left to how fast each process boots.
    const starting: Promise<ServerProcess>[] = [];
    const waiting = await withAdmin(
      (admin) =>
        admin.connection().execute(async (conn) => {
          const key = migrationLockKey("public").toString();
          await sql`select pg_advisory_lock(${key}::bigint)`.execute(conn);
          try {
            for (let i = 0; i < 2; i++) {
              const started = startServerProcess(env);
              starting.push(started);
              cleanups.push(async () => {
                const s = await started.catch(() => null);
                s?.child.kill("SIGTERM");
                await s?.exited;
              });
            }
            const deadline = Date.now() + 15_000;
            let blocked = 0;
            while (blocked < 2 && Date.now() < deadline) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              const { rows } = await sql<{ n: number }>`select count(*)::int as n
                from pg_stat_activity where datname = ${db.name} and pid <> pg_backend_pid()
                and wait_event_type = 'Lock' and wait_event = 'advisory'`.execute(conn);
              blocked = rows[0]?.n ?? 0;
            }
            return blocked;
          } finally {
            await sql`select pg_advisory_unlock(${key}::bigint)`.execute(conn);
          }
        }),
      db.url,
    );
    expect(waiting, "both instances wait for the migration lock").toBe(2);
    const [a, b] = await Promise.all(starting);
    if (!a || !b) throw new Error("two servers expected");
    const schema = await withAdmin(
      (admin) =>
        sql<{ n: number; version: number }>`select count(*)::int as n, max(version) as version
          from teams_schema`.execute(admin),
      db.url,
    );
    expect(schema.rows).toEqual([{ n: 1, version: LATEST_SCHEMA_VERSION }]);

    const servers = [httpCaller(a.url, tokens), httpCaller(b.url, tokens)] as const;
    const statuses = new Map<number, number>();
    const call = async (
      via: 0 | 1,
      who: Who,
      method: string,
      path: string,
      body?: unknown,
    ): Promise<HttpOutcome> => {
      const outcome = await servers[via](who, method, path, body);
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      return outcome;
    };

    // A handful of (managed user, team) pairs: two teams of the coach, three managed users.
    const coach: Who = { sub: "coach" };
    const teamIds: string[] = [];
    for (const name of ["Crew A", "Crew B"]) {
      const created = await call(0, coach, "POST", "/api/v1/teams/", {
        name,
        description: "",
        url: "https://crew.example/",
        image: "https://crew.example/i.png",
        privacy_statement: "https://crew.example/p",
      });
      expect(created.status).toBe(201);
      teamIds.push((created.body as { id: string }).id);
    }
    const userIds: string[] = [];
    for (const first_name of ["Ada", "Bo", "Cy"]) {
      const created = await call(1, coach, "POST", "/api/v1/users/", {
        first_name,
        last_name: "Managed",
      });
      expect(created.status).toBe(201);
      userIds.push((created.body as { id: string }).id);
    }
    const pairs = userIds.flatMap((user) => teamIds.map((team) => ({ user, team })));

    // What the service must answer: the scopes each pair holds, or none.
    const model = new Map<string, string[]>();
    const expected = (user: string, team: string) => model.get(`${user} ${team}`) ?? null;

    /** Both directions, through one process, must show exactly what the model holds. */
    const readBack = async (via: 0 | 1, user: string, team: string, context: string) => {
      const want = expected(user, team);
      const authorized = await call(via, { sub: user }, "GET", "/api/v1/teams/authorized");
      expect(authorized.status, context).toBe(200);
      const entry = (authorized.body as { id: string; scopes: string[] }[]).find(
        (t) => t.id === team,
      );
      expect(entry ? [...entry.scopes].sort() : null, `${context}: authorized`).toEqual(want);
      const users = await call(via, coach, "GET", `/api/v1/teams/${team}/users`);
      expect(users.status, context).toBe(200);
      const row = (users.body as { id: string; scopes: string[] }[]).find((u) => u.id === user);
      expect(row ? [...row.scopes].sort() : null, `${context}: team users`).toEqual(want);
    };

    const next = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const done = { authorize: 0, revoke: 0, revokeNothing: 0, read: 0 };
    for (let i = 0; i < OPERATIONS; i++) {
      const { user, team } = pick(pairs);
      const via: 0 | 1 = next() < 0.5 ? 0 : 1;
      const other: 0 | 1 = via === 0 ? 1 : 0;
      const roll = next();
      const delegated: Who = { sub: user, azp: "coach" };
      const context = `seed ${SEED}, operation ${i}`;
      if (roll < 0.45) {
        const scopes = GRANTABLE.filter(() => next() < 0.5);
        if (scopes.length === 0) scopes.push(pick(GRANTABLE));
        const res = await call(via, delegated, "POST", `/api/v1/teams/${team}/authorize`, {
          scopes,
        });
        expect(res.status, context).toBe(200);
        model.set(`${user} ${team}`, [...scopes].sort());
        done.authorize++;
        await readBack(other, user, team, `${context} (authorize via ${via})`);
      } else if (roll < 0.75) {
        const had = expected(user, team);
        const res = await call(via, delegated, "DELETE", `/api/v1/teams/${team}/authorize`);
        if (had) {
          expect(res.status, context).toBe(200);
          expect([...(res.body as { scopes: string[] }).scopes].sort(), context).toEqual(had);
          model.delete(`${user} ${team}`);
          done.revoke++;
        } else {
          expect(res.status, context).toBe(404);
          done.revokeNothing++;
        }
        await readBack(other, user, team, `${context} (revoke via ${via})`);
      } else {
        await readBack(via, user, team, `${context} (read via ${via})`);
        done.read++;
      }
    }

    // The stream exercised every kind of step, and no request was answered 5xx.
    expect(done.authorize).toBeGreaterThan(OPERATIONS / 4);
    expect(done.revoke).toBeGreaterThan(OPERATIONS / 10);
    expect(done.read).toBeGreaterThan(OPERATIONS / 10);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    const requests = [...statuses.values()].reduce((n, c) => n + c, 0);
    console.log(
      `two instances: ${OPERATIONS} operations (${JSON.stringify(done)}), ${requests} requests, ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});
