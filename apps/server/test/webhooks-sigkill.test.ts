import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTeams } from "@teams/core";
import { admin, teamBody } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { auth, tokenFor } from "./hardening/support/http.js";
import { SECRET } from "./harness.js";
import { type ServerProcess, startServerProcess } from "./process.js";
import { type Received, startReceiver, TEST_SECRET } from "./support/webhook-receiver.js";

// Issue 16, "shown by": the real server, with two webhook subscribers attached, killed with
// SIGKILL at random moments under grants and revocations over HTTP, and restarted on the same
// SQLite file, again and again. At the end every committed change (every record of the log, which
// holds every acknowledged write) has been delivered to each subscriber at least once, in log
// order per subscriber (a repeat only as a redelivery from the cursor), and nothing delivered is
// anything but a committed record, byte for byte.

const KILLS = Number(process.env.TEAMS_WEBHOOK_KILLS ?? 20);
const USERS = 8;
const TEAMS = 2;
const WRITERS = 3;
// Writers are paced (and capped per server run) so that the kill lands among writes while the
// log, and so the catch-up with the flaky subscriber's backoffs, keeps about one size on a quiet
// machine and on a loaded one.
const WRITES_PER_RUN = 20;
const PAUSE_MS = [40, 120] as const;
const SCOPE_SETS = [["data:read"], ["data:read", "profile"], ["profile"]];

const user = (i: number) => `athlete-${i}`;
const team = (i: number) => `team-${i}`;
const key = (u: string, t: string) => `${u}|${t}`;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

const tally = { kills: 0, acked: 0, records: 0, deliveries: 0, redeliveries: 0 };
afterAll(() => {
  console.log(
    `webhooks under SIGKILL: ${tally.kills} kills and restarts; ${tally.acked} acknowledged changes, ` +
      `${tally.records} records committed; ${tally.deliveries} deliveries to 2 subscribers, ` +
      `${tally.redeliveries} of them redeliveries`,
  );
});

async function seed(filename: string, urls: string[]): Promise<void> {
  const store = await openSqliteStore({ filename });
  const teams = createTeams({ db: store.db, kind: store.kind, webhooks: { allowPrivate: true } });
  await teams.adminPutUser(admin, "coach", { first_name: "Cora", last_name: "Coach" });
  for (let i = 0; i < USERS; i++) {
    await teams.adminPutUser(admin, user(i), {
      first_name: "A",
      last_name: String(i),
      manager_id: "coach",
    });
  }
  for (let i = 0; i < TEAMS; i++) await teams.adminPutTeam(admin, team(i), teamBody(`Team ${i}`));
  for (const [n, url] of urls.entries()) {
    await teams.adminPutWebhook(admin, `hook-${n}`, { url, secret: TEST_SECRET });
  }
  await store.close();
}

/** The consent log as the file holds it, by id: the JSON of each record. */
async function readLog(filename: string): Promise<Map<number, string>> {
  const store = await openSqliteStore({ filename });
  try {
    const rows = await store.db.selectFrom("consent_log").select("id").orderBy("id").execute();
    const teams = createTeams(store);
    const records = new Map<number, string>();
    for (let i = 0; i < USERS; i++) {
      const history = await teams.listAuthorizationHistory(
        { userId: "coach", authorizedParty: null, scopes: [] },
        { user_id: user(i) },
      );
      for (const r of history.items) records.set(r.id, JSON.stringify(r));
    }
    expect(records.size).toBe(rows.length);
    return records;
  } finally {
    await store.close();
  }
}

/** One writer on its own users: paced grants and revocations until the server dies or its share is done. */
async function writer(
  url: string,
  w: number,
  known: Map<string, string | null>,
  acked: { pair: string; scopes: string | null }[],
): Promise<void> {
  const mine = Array.from({ length: USERS }, (_, i) => i).filter((i) => i % WRITERS === w);
  for (let n = 0; n < WRITES_PER_RUN; n++) {
    await new Promise((resolve) =>
      setTimeout(resolve, PAUSE_MS[0] + Math.random() * (PAUSE_MS[1] - PAUSE_MS[0])),
    );
    const u = user(pick(mine));
    const t = team(Math.floor(Math.random() * TEAMS));
    const pair = key(u, t);
    const grant = Math.random() < 0.6 ? pick(SCOPE_SETS) : null;
    let status: number;
    try {
      const res = await fetch(`${url}/api/v1/teams/${t}/authorize`, {
        method: grant ? "POST" : "DELETE",
        headers: {
          ...auth(await tokenFor({ sub: u, azp: "coach" })),
          "content-type": "application/json",
        },
        ...(grant ? { body: JSON.stringify({ scopes: grant }) } : {}),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      return; // killed: this write's fate is whatever the log says
    }
    const before = known.get(pair) ?? null;
    const after = grant ? grant.join(" ") : null;
    if (status === 200 && after !== before) {
      // An acknowledged change: it must be in the log, and delivered.
      acked.push({ pair, scopes: after });
      known.set(pair, after);
      tally.acked += 1;
    }
  }
}

/**
 * One subscriber's deliveries are in log order: each is the next record after the furthest one
 * delivered so far, or a redelivery of one already delivered (the worker restarting from its
 * cursor after a kill).
 */
function checkOrder(name: string, got: Received[], ids: number[]): void {
  let furthest = -1;
  const seen = new Set<number>();
  for (const r of got) {
    const id = Number(r.id);
    if (seen.has(id)) {
      tally.redeliveries += 1;
      continue;
    }
    const next = ids.find((x) => x > furthest);
    expect(id, `${name}: after ${furthest} the next record is ${next}`).toBe(next);
    seen.add(id);
    furthest = id;
  }
}

describe("webhooks under SIGKILL", () => {
  it(`delivers every committed change at least once, in order, and nothing else (${KILLS} kills)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "teams-webhook-kill-"));
    const filename = join(dir, "teams.db");
    // One subscriber that always answers; one that refuses about one event in ten the first
    // time it sees it (so retries, with their backoff, cross the kills too).
    const steady = await startReceiver();
    const failedOnce = new Set<string>();
    const flakyServer = await startReceiver({
      answer: (_, id) => {
        if (failedOnce.has(id) || Math.random() >= 1 / 10) return 200;
        failedOnce.add(id);
        return 503;
      },
    });
    let server: ServerProcess | undefined;
    const env = {
      PORT: "0",
      TEAMS_DATABASE: filename,
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_EXTERNAL_AZP: "actor",
      TEAMS_WEBHOOKS_ALLOW_PRIVATE: "1",
      // A killed instance's lease holds its subscribers for this long: short, to keep the run short.
      TEAMS_WEBHOOK_LEASE_MS: "1500",
      TEAMS_LOG: "off",
    };
    try {
      await seed(filename, [steady.url, flakyServer.url]);
      const known = new Map<string, string | null>();
      const acked: { pair: string; scopes: string | null }[] = [];
      for (let round = 0; round < KILLS; round++) {
        const t0 = Date.now();
        server = await startServerProcess(env);
        if (process.env.TEAMS_WEBHOOK_KILLS_TRACE) console.log(`start ${Date.now() - t0} ms`);
        const url = server.url;
        const writers = Array.from({ length: WRITERS }, (_, w) => writer(url, w, known, acked));
        // Killed at a random moment once this run delivers (its worker thread has started).
        const delivered = steady.requests();
        await steady.until(() => steady.requests() > delivered, 15_000);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        server.child.kill("SIGKILL");
        await server.exited;
        await Promise.all(writers);
        tally.kills += 1;
        // A write in flight at the kill may have landed: the file says what the pair now holds.
        const store = await openSqliteStore({ filename });
        const rows = await store.db
          .selectFrom("authorizations")
          .select(["user_id", "team_id", "scopes"])
          .execute();
        await store.close();
        known.clear();
        for (const r of rows) known.set(key(r.user_id, r.team_id), r.scopes);
      }
      // Once more, to let the subscribers catch up.
      server = await startServerProcess(env);
      const log = await readLog(filename);
      const ids = [...log.keys()].sort((a, b) => a - b);
      tally.records = ids.length;
      const all = (got: Received[]) => new Set(got.map((r) => Number(r.id))).size >= ids.length;
      const t1 = Date.now();
      await steady.until(() => all(steady.received), 60_000);
      await flakyServer.until(() => all(flakyServer.received), 60_000);
      if (process.env.TEAMS_WEBHOOK_KILLS_TRACE) console.log(`catch-up ${Date.now() - t1} ms`);
      server.child.kill("SIGTERM");
      await server.exited;

      // Every acknowledged change is a record of the log (in its pair's order).
      const byPair = new Map<string, (string | null)[]>();
      for (const id of ids) {
        const r = JSON.parse(log.get(id) ?? "{}");
        const list = byPair.get(key(r.user_id, r.team_id)) ?? [];
        list.push(r.scopes === null ? null : r.scopes.join(" "));
        byPair.set(key(r.user_id, r.team_id), list);
      }
      const ackedByPair = new Map<string, { pair: string; scopes: string | null }[]>();
      for (const a of acked) ackedByPair.set(a.pair, [...(ackedByPair.get(a.pair) ?? []), a]);
      for (const [pair, changes] of ackedByPair) {
        const recorded = byPair.get(pair) ?? [];
        let at = 0;
        for (const change of changes) {
          while (at < recorded.length && recorded[at] !== change.scopes) at++;
          expect(at < recorded.length, `${pair}: acknowledged ${change.scopes} is recorded`).toBe(
            true,
          );
          at++;
        }
      }
      for (const [name, receiver] of [
        ["steady", steady],
        ["flaky", flakyServer],
      ] as const) {
        expect(receiver.forged, `${name}: signatures`).toEqual([]);
        tally.deliveries += receiver.received.length;
        // Nothing delivered but committed records, as the log holds them.
        for (const r of receiver.received) {
          expect(JSON.stringify(r.body.data), `${name}: delivered ${r.id}`).toBe(
            log.get(Number(r.id)),
          );
        }
        checkOrder(name, receiver.received, ids);
      }
      expect(tally.acked).toBeGreaterThan(0);
    } finally {
      server?.child.kill("SIGKILL");
      await server?.exited;
      await steady.close();
      await flakyServer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
