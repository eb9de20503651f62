import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIGNING_KEYS_FILE } from "@teams/auth";
import { LATEST_SCHEMA_VERSION, readSchemaVersion } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { SECRET, token } from "./harness.js";
import { runCli, type ServerProcess, startServerProcess } from "./process.js";
import { freshDatabase, noPostgres } from "./support/postgres.js";

// Issue 18, item 5: `teams backup` copies a running SQLite database with the online backup API
// and its keys beside it; `teams restore` puts one back with the server stopped; both refuse to
// overwrite without --force.

const dirs: string[] = [];
let server: ServerProcess | undefined;
afterEach(() => {
  server?.child.kill("SIGKILL");
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), "teams-backup-"));
  dirs.push(dir);
  return dir;
};
const envOf = (dir: string) => ({
  TEAMS_DATABASE: join(dir, "teams.db"),
  TEAMS_JWT_SECRET: SECRET,
});

// Each CLI run starts node with tsx: a few seconds apiece on a busy machine.
describe("teams backup and restore", { timeout: 120_000 }, () => {
  it("copies a database under write load: every write acknowledged before it began is restored, intact", async () => {
    const live = folder();
    server = await startServerProcess({ ...envOf(live), PORT: "0", TEAMS_LOG: "off" });
    const url = server.url;
    const admin = { authorization: `Bearer ${await token({ sub: "root", scope: "admin" })}` };
    const acknowledged: string[] = [];
    let writing = true;
    // Four writers, each putting users one after the other until told to stop.
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        const id = `w${w}-${i}`;
        const answer = await fetch(`${url}/api/v1/admin/users/${id}`, {
          method: "PUT",
          headers: { ...admin, "content-type": "application/json" },
          body: JSON.stringify({ first_name: "Load", last_name: id }),
        });
        if (answer.status === 200) acknowledged.push(id);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 10));
    const before = [...acknowledged];
    const backup = join(folder(), "teams-backup.db");
    const made = await runCli(["backup", backup], envOf(live));
    const duringBackup = acknowledged.length - before.length;
    writing = false;
    await Promise.all(writers);
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`Keys: ${SIGNING_KEYS_FILE}`);
    // The server kept taking writes while the copy was made.
    expect(duringBackup).toBeGreaterThan(0);
    expect(statSync(`${backup}.keys`).mode & 0o777).toBe(0o700);
    expect(statSync(join(`${backup}.keys`, SIGNING_KEYS_FILE)).mode & 0o777).toBe(0o600);

    const restoredDir = folder();
    const restored = await runCli(["restore", backup], envOf(restoredDir));
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(readFileSync(join(restoredDir, SIGNING_KEYS_FILE), "utf8")).toBe(
      readFileSync(join(live, SIGNING_KEYS_FILE), "utf8"),
    );
    const store = await openSqliteStore({ filename: join(restoredDir, "teams.db") });
    try {
      expect(store.integrityCheck()).toBe("ok");
      const ids = new Set(
        (await store.db.selectFrom("users").select("id").execute()).map((r) => r.id),
      );
      expect(before.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("refuses to overwrite without --force, and to restore over a database a server has open", async () => {
    const live = folder();
    server = await startServerProcess({ ...envOf(live), PORT: "0", TEAMS_LOG: "off" });
    const backup = join(folder(), "copy.db");
    expect((await runCli(["backup", backup], envOf(live))).code).toBe(0);
    const again = await runCli(["backup", backup], envOf(live));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; give --force/);
    expect((await runCli(["backup", backup, "--force"], envOf(live))).code).toBe(0);

    // The running server has the database open: no --force makes that safe.
    const busy = await runCli(["restore", backup, "--force"], envOf(live));
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/open in another process/);

    const target = folder();
    expect((await runCli(["restore", backup], envOf(target))).code).toBe(0);
    const over = await runCli(["restore", backup], envOf(target));
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/exists; give --force/);
    expect((await runCli(["restore", backup, "--force"], envOf(target))).code).toBe(0);
  });

  it("refuses a backup that is not a sound database, changing nothing", async () => {
    const target = folder();
    const bogus = join(folder(), "bogus.db");
    writeFileSync(bogus, "not a database");
    const refused = await runCli(["restore", bogus], envOf(target));
    expect(refused.code).toBe(1);
    expect(existsSync(join(target, "teams.db"))).toBe(false);
  });

  it("is for SQLite: on PostgreSQL it points to pg_dump", async () => {
    const answer = await runCli(["backup", join(folder(), "x.db")], {
      TEAMS_DATABASE: "postgres://postgres@127.0.0.1:5432/test",
      TEAMS_JWT_SECRET: SECRET,
    });
    expect(answer.code).toBe(2);
    expect(answer.stderr).toMatch(/pg_dump/);
  });
});

describe("teams migrate --status and --dry-run", { timeout: 120_000 }, () => {
  it("on a fresh SQLite file: everything pending, and nothing created", async () => {
    const dir = folder();
    const status = await runCli(["migrate", "--status"], envOf(dir));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `Schema version 0 of ${LATEST_SCHEMA_VERSION} (${LATEST_SCHEMA_VERSION} pending)`,
    );
    expect(status.stdout.match(/ pending +\d+ /g)).toHaveLength(LATEST_SCHEMA_VERSION);
    const dry = await runCli(["migrate", "--dry-run"], envOf(dir));
    expect(dry.code).toBe(0);
    expect(dry.stdout.match(/would apply +\d+ /g)).toHaveLength(LATEST_SCHEMA_VERSION);
    expect(dry.stdout).toContain("Nothing was applied");
    expect(existsSync(join(dir, "teams.db"))).toBe(false);
  });

  it("on a database at an older version: --dry-run lists the later steps and applies none", async () => {
    const dir = folder();
    const filename = join(dir, "teams.db");
    const old = await openSqliteStore({ filename, migrate: false });
    const { applyMigrations } = await import("@teams/core");
    const { sqliteStoreKind } = await import("@teams/sqlite");
    await old.db.transaction().execute((trx) => applyMigrations(trx, sqliteStoreKind, 3));
    await old.close();
    const dry = await runCli(["migrate", "--dry-run"], envOf(dir));
    expect(dry.code).toBe(0);
    const listed = [...dry.stdout.matchAll(/would apply +(\d+) /g)].map((m) => Number(m[1]));
    expect(listed).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION - 3 }, (_, i) => i + 4));
    const status = await runCli(["migrate", "--status"], envOf(dir));
    expect(status.stdout.match(/ applied +\d+ /g)).toHaveLength(3);
    const reopened = await openSqliteStore({ filename, migrate: false });
    expect(await readSchemaVersion(reopened.db)).toBe(3);
    await reopened.close();

    const migrated = await runCli(["migrate"], envOf(dir));
    expect(migrated.code).toBe(0);
    const after = await runCli(["migrate", "--status"], envOf(dir));
    expect(after.stdout).toContain(`(0 pending)`);
    expect(after.stdout.match(/ applied +\d+ /g)).toHaveLength(LATEST_SCHEMA_VERSION);
    expect((await runCli(["migrate", "--dry-run"], envOf(dir))).stdout).toContain(
      "nothing would run",
    );
  });

  it("refuses --status with --dry-run, and arguments (exit 2)", async () => {
    const dir = folder();
    expect((await runCli(["migrate", "--status", "--dry-run"], envOf(dir))).code).toBe(2);
    expect((await runCli(["migrate", "now"], envOf(dir))).code).toBe(2);
  });
});

describe.skipIf(noPostgres)("teams migrate --status on PostgreSQL", { timeout: 120_000 }, () => {
  it("lists every step pending on a fresh database, applied after teams migrate, and --dry-run changes nothing", async () => {
    const database = await freshDatabase();
    try {
      const env = { TEAMS_DATABASE: database.url, TEAMS_JWT_SECRET: SECRET };
      const fresh = await runCli(["migrate", "--status"], env);
      expect(fresh.stderr).toBe("");
      expect(fresh.stdout).toContain(`Schema version 0 of ${LATEST_SCHEMA_VERSION}`);
      expect(fresh.stdout.match(/ pending +\d+ /g)).toHaveLength(LATEST_SCHEMA_VERSION);
      expect((await runCli(["migrate", "--dry-run"], env)).stdout).toContain("Nothing was applied");
      expect((await runCli(["migrate", "--status"], env)).stdout).toContain("Schema version 0 of");
      expect((await runCli(["migrate"], env)).code).toBe(0);
      const after = await runCli(["migrate", "--status"], env);
      expect(after.stdout.match(/ applied +\d+ /g)).toHaveLength(LATEST_SCHEMA_VERSION);
    } finally {
      await database.drop();
    }
  });
});
