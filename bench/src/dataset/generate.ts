import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { foldName, LATEST_SCHEMA_VERSION } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import {
  managerCount,
  managerOf,
  personName,
  READER,
  random,
  type Scale,
  teamId,
  teamName,
  teamsAuthorizedBy,
  userId,
} from "./shape.js";

/** Bumped whenever the generated content changes, so a cached file of an older shape is not used. */
export const GENERATOR_VERSION = 4;

/** bench/.data: generated files, kept between runs (gitignored). */
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".data");

/** The cached data set of `scale`, generated on first use. Returns its path and whether it was made. */
export async function dataset(scale: Scale): Promise<{ path: string; seconds: number }> {
  const schema = await schemaDigest();
  const path = join(
    DATA_DIR,
    `teams-${scale.name}-g${GENERATOR_VERSION}-s${LATEST_SCHEMA_VERSION}-${schema}.db`,
  );
  if (existsSync(path)) return { path, seconds: 0 };
  mkdirSync(DATA_DIR, { recursive: true });
  const started = performance.now();
  const building = `${path}.building`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${building}${suffix}`, { force: true });
  // The schema is the store's own: whatever its migrations create, the data goes into.
  const store = await openSqliteStore({ filename: building });
  await store.close();
  fill(building, scale);
  renameSync(building, path);
  // Files made for earlier schemas or generators are of no further use (up to 600 MB each).
  for (const name of readdirSync(DATA_DIR)) {
    if (name.startsWith(`teams-${scale.name}-`) && join(DATA_DIR, name) !== path) {
      rmSync(join(DATA_DIR, name), { force: true });
    }
  }
  return { path, seconds: (performance.now() - started) / 1000 };
}

/** A digest of the schema the store creates, so that a file made for another schema is not used. */
async function schemaDigest(): Promise<string> {
  const store = await openSqliteStore({ filename: ":memory:" });
  try {
    const { rows } = await sql<{ sql: string | null }>`
      select sql from sqlite_master order by type, name`.execute(store.db);
    const text = rows.map((r) => r.sql ?? "").join("\n");
    return createHash("sha256").update(text).digest("hex").slice(0, 12);
  } finally {
    await store.close();
  }
}

/** A copy of a data set for one run to write into, so the cached file never changes. */
export function workingCopy(path: string, name: string): string {
  const copy = join(DATA_DIR, "runs", name);
  mkdirSync(dirname(copy), { recursive: true });
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
  copyFileSync(path, copy);
  return copy;
}

/**
 * Inserts the rows with prepared statements in one transaction, the secondary indexes dropped
 * during the load and built once afterwards (from their own SQL, so the schema stays the store's).
 */
function fill(filename: string, scale: Scale): void {
  const db = new BetterSqlite3(filename);
  try {
    db.pragma("journal_mode = DELETE");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and sql is not null")
      .all() as { name: string; sql: string }[];
    const now = "2026-01-01T00:00:00.000Z";
    const next = random(20260101);
    const names: string[] = [];
    const teamNames: string[] = [];
    // Dropping an index drops its statistics (which the migrations wrote): kept to be put back.
    const hasStats = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat1'")
      .get();
    const stats = hasStats
      ? (db.prepare("select tbl, idx, stat from sqlite_stat1").all() as {
          tbl: string;
          idx: string | null;
          stat: string;
        }[])
      : [];
    db.transaction(() => {
      for (const index of indexes) db.exec(`drop index "${index.name}"`);
      const user = db.prepare(
        "insert into users (id, first_name, last_name, display_name_folded, manager_id, created_at) values (?, ?, ?, ?, ?, ?)",
      );
      const people: { first: string; last: string }[] = [];
      const folded: string[] = [];
      for (let n = 0; n < scale.users; n++) {
        const { first, last } = personName(next);
        people.push({ first, last });
        const manager = managerOf(scale, n);
        names.push(`${first} ${last}`);
        folded.push(foldName(`${first} ${last}`));
        user.run(userId(n), first, last, folded[n], manager === null ? null : userId(manager), now);
      }
      const team = db.prepare(
        "insert into teams (id, name, description, url, image, privacy_statement, created_at) values (?, ?, ?, ?, ?, ?, ?)",
      );
      const membership = db.prepare(
        "insert into memberships (team_id, user_id, role, team_name, user_display_name) values (?, ?, ?, ?, ?)",
      );
      for (let n = 0; n < scale.teams; n++) {
        const name = teamName(next, n);
        teamNames.push(name);
        const site = `https://team-${n}.example`;
        team.run(
          teamId(n),
          name,
          `${name}: a generated team of the benchmark data set.`,
          `${site}/`,
          `${site}/logo.png`,
          `${site}/privacy`,
          now,
        );
        // Every team is owned by a manager; the reader owns the big and the fifty teams.
        const owner = n < 2 ? READER : n % managerCount(scale);
        membership.run(teamId(n), userId(owner), "owner", name, names[owner]);
      }
      const authorization = db.prepare(
        "insert into authorizations (user_id, team_id, scopes, granted_at, updated_at, team_name, user_display_name, user_display_name_folded, user_summary) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (let n = 0; n < scale.users; n++) {
        const { first, last } = people[n] as { first: string; last: string };
        const managed = managerOf(scale, n) !== null;
        for (const t of teamsAuthorizedBy(scale, n)) {
          const scopes = (n + t) % 3 === 0 ? "data:read profile" : "data:read";
          // The authorization's line of the team's users list, as the core writes it.
          const summary = JSON.stringify({
            id: userId(n),
            first_name: first,
            last_name: last,
            scopes: scopes.split(" "),
            display_name: names[n],
            is_managed: managed,
          });
          authorization.run(
            userId(n),
            teamId(t),
            scopes,
            now,
            now,
            teamNames[t],
            names[n],
            folded[n],
            summary,
          );
        }
      }
      for (const index of indexes) db.exec(index.sql);
      if (stats.length > 0) {
        db.exec("delete from sqlite_stat1");
        const stat = db.prepare("insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)");
        for (const row of stats) stat.run(row.tbl, row.idx, row.stat);
      }
    })();
    // The copies must be what the core would have written.
    const wrong = db
      .prepare(
        `select (select count(*) from authorizations a join users u on u.id = a.user_id
                  where a.user_display_name <> u.display_name
                    or a.user_display_name_folded <> u.display_name_folded)
              + (select count(*) from authorizations a join teams t on t.id = a.team_id
                  where a.team_name <> t.name)
              + (select count(*) from authorizations a join users u on u.id = a.user_id
                  where a.user_summary <> json_object('id', u.id, 'first_name', u.first_name,
                    'last_name', u.last_name,
                    'scopes', json('["' || replace(a.scopes, ' ', '","') || '"]'),
                    'display_name', u.display_name,
                    'is_managed', json(iif(u.manager_id is null, 'false', 'true')))) as n`,
      )
      .get() as { n: number };
    if (wrong.n !== 0) throw new Error(`generated ${wrong.n} copies that differ from the rows`);
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}
