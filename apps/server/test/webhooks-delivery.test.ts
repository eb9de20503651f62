import { createTeams, Invalid, type Teams } from "@teams/core";
import { admin, delegated, principal, seedWorld } from "@teams/core/testing";
import { openPostgresStore } from "@teams/postgres";
import { describe, expect, it } from "vitest";
import { startWebhookWorker, type WebhookWorker } from "../src/webhooks/webhook-worker.js";
import { bothStores } from "./support/both-stores.js";
import { freshDatabase, noPostgres } from "./support/postgres.js";
import { startReceiver, TEST_SECRET } from "./support/webhook-receiver.js";
import { nudgingTeams, webhookWorld } from "./support/webhook-world.js";

// Issue 16 point 4: signed webhooks from the outbox, delivered by the server's worker to receivers
// (node:http here) that verify each signature with standardwebhooks' `verify`.

const ann = delegated("ann", "coach");
const ben = delegated("ben", "coach");

const { stores, cleanup } = bothStores();

describe.each(stores)("webhooks on %s", (_name, skip, open) => {
  /** A seeded store with its core, and delivery workers started on demand (closed after the test). */
  async function world(workerOptions: { allowPrivate?: boolean; timeoutMs?: number } = {}) {
    const { store, teams, track } = await webhookWorld(open, cleanup);
    const start = () =>
      track(
        startWebhookWorker({
          outbox: teams.webhookOutbox,
          targets: { allowPrivate: workerOptions.allowPrivate ?? true },
          timeoutMs: workerOptions.timeoutMs ?? 5000,
          pollMs: 20,
          idleMs: 100,
          // No jitter to wait for: each retry right away (the backoff is a table test of the core).
          random: () => 0,
          onError: (e) => {
            throw e;
          },
        }),
      );
    return { teams, start, store };
  }

  /** A webhook's attempts, once there are at least `count` (the worker records them after sending). */
  async function attempts(teams: Teams, id: string, count: number) {
    for (;;) {
      const { items } = await teams.adminListWebhookDeliveries(admin, id, {});
      if (items.length >= count) return items;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function subscribe(teams: Teams, id: string, url: string, eventTypes?: string[]) {
    return teams.adminPutWebhook(admin, id, {
      url,
      secret: TEST_SECRET,
      ...(eventTypes ? { event_types: eventTypes } : {}),
    });
  }

  it.skipIf(skip)(
    "delivers each change type, signed, with the record as data, in log order",
    async () => {
      const { teams, start } = await world();
      const receiver = await startReceiver();
      cleanup(receiver.close);
      await subscribe(teams, "hook", receiver.url);
      start();
      await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
      await teams.authorizeTeam(ann, "club", { scopes: ["data:read", "profile"] });
      await teams.revokeTeam(ann, "club");
      await teams.authorizeTeam(ann, "other", { scopes: ["profile"] });
      await teams.adminDeleteTeam(admin, "other");
      await teams.authorizeTeam(ben, "club", { scopes: ["data:write"] });
      // Deleting ben deletes its records (the default retention): its subscribers still learn it.
      await teams.adminDeleteUser(admin, "ben");
      await receiver.until(() => receiver.received.length >= 7);
      expect(receiver.forged).toEqual([]);
      const bodies = receiver.received.map((r) => r.body);
      expect(bodies.map((b) => [b.type, b.data.team_id, b.data.user_id, b.data.cause])).toEqual([
        ["authorization.granted", "club", "ann", "manager"],
        ["authorization.updated", "club", "ann", "manager"],
        ["authorization.revoked", "club", "ann", "manager"],
        ["authorization.granted", "other", "ann", "manager"],
        ["authorization.revoked", "other", "ann", "team_deleted"],
        ["authorization.granted", "club", "ben", "manager"],
        ["authorization.revoked", "club", "ben", "user_deleted"],
      ]);
      for (const r of receiver.received) {
        expect(r.id).toBe(String(r.body.data.id));
        expect(r.body.timestamp).toBe(r.body.data.occurred_at);
        expect(r.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      }
      const ids = bodies.map((b) => b.data.id as number);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      // Each body is the record as the log holds it.
      const annHistory = await teams.listAuthorizationHistory(principal("coach"), {
        user_id: "ann",
      });
      expect(bodies.slice(0, 5).map((b) => b.data)).toEqual(annHistory.items);
      expect(bodies[1].data.previous_scopes).toEqual(["data:read"]);
      expect(bodies[1].data.scopes).toEqual(["data:read", "profile"]);
      expect(bodies[6].data.actor).toEqual({
        user_id: "platform",
        authorized_party: null,
        via: "admin",
      });
    },
  );

  it.skipIf(skip)(
    "a receiver that fails 3 times then succeeds gets the event once it recovers, 4 attempts recorded",
    async () => {
      const { teams, start } = await world();
      const answers: (number | "drop")[] = [500, "drop", 503];
      const receiver = await startReceiver({ answer: (n) => answers[n - 1] ?? 204 });
      cleanup(receiver.close);
      await subscribe(teams, "hook", receiver.url);
      start();
      await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
      await teams.revokeTeam(ann, "club");
      await receiver.until(() => receiver.received.length >= 2);
      expect(receiver.received.map((r) => r.body.type)).toEqual([
        "authorization.granted",
        "authorization.revoked",
      ]);
      const items = await attempts(teams, "hook", 5);
      const first = receiver.received[0]?.id;
      expect(
        items.map((d) => [String(d.event_id) === first, d.attempt, d.status, d.error !== null]),
      ).toEqual([
        [true, 1, 500, false],
        [true, 2, null, true],
        [true, 3, 503, false],
        [true, 4, 204, false],
        [false, 1, 204, false],
      ]);
      const hook = await teams.adminGetWebhook(admin, "hook");
      expect(hook.failed_attempts).toBe(0);
      expect(hook.next_attempt_at).toBeNull();
      // Paged like the lists.
      const page = await teams.adminListWebhookDeliveries(admin, "hook", { limit: 2 });
      expect(page.items.map((d) => d.attempt)).toEqual([1, 2]);
      const rest = await teams.adminListWebhookDeliveries(admin, "hook", {
        limit: 10,
        cursor: page.next_cursor ?? "",
      });
      expect(rest.items.map((d) => d.attempt)).toEqual([3, 4, 1]);
    },
  );

  it.skipIf(skip)("a subscriber that does not answer never delays another", async () => {
    const { teams, start } = await world({ timeoutMs: 60_000 });
    const down = await startReceiver({ answer: () => "hang" });
    const up = await startReceiver();
    cleanup(down.close);
    cleanup(up.close);
    await subscribe(teams, "a-down", down.url);
    await subscribe(teams, "b-up", up.url);
    start();
    for (const scopes of [["data:read"], ["profile"], ["data:write"]]) {
      await teams.authorizeTeam(ann, "club", { scopes });
    }
    await teams.revokeTeam(ann, "club");
    await up.until(() => up.received.length >= 4);
    expect(up.received.map((r) => r.body.type)).toEqual([
      "authorization.granted",
      "authorization.updated",
      "authorization.updated",
      "authorization.revoked",
    ]);
    // The other is still waiting on its first event's answer.
    expect(down.requests()).toBeLessThanOrEqual(1);
    expect(down.received).toEqual([]);
  });

  it.skipIf(skip)("event_types narrows what a subscription is sent", async () => {
    const { teams, start } = await world();
    const revocations = await startReceiver();
    const everything = await startReceiver();
    cleanup(revocations.close);
    cleanup(everything.close);
    await subscribe(teams, "revocations", revocations.url, ["authorization.revoked"]);
    await subscribe(teams, "everything", everything.url);
    start();
    await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
    await teams.authorizeTeam(ann, "club", { scopes: ["profile"] });
    await teams.revokeTeam(ann, "club");
    await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
    await everything.until(() => everything.received.length >= 4);
    await revocations.until(() => revocations.received.length >= 1);
    // Every event has been passed by both: the filtered one was sent the revocation only.
    await attempts(teams, "everything", 4);
    const items = await attempts(teams, "revocations", 1);
    expect(items.map((d) => d.status)).toEqual([204]);
    expect(revocations.received.map((r) => r.body.type)).toEqual(["authorization.revoked"]);
    expect(revocations.received[0]?.id).toBe(everything.received[2]?.id);
  });

  it.skipIf(skip)("a redirect is a failure and is not followed", async () => {
    const { teams, start } = await world();
    const target = await startReceiver();
    const redirecting = await startReceiver({ answer: (n) => (n === 1 ? 307 : 204) });
    cleanup(target.close);
    cleanup(redirecting.close);
    await subscribe(teams, "hook", redirecting.url);
    start();
    await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
    await redirecting.until(() => redirecting.received.length >= 1);
    const items = await attempts(teams, "hook", 2);
    expect(items.map((d) => [d.attempt, d.status])).toEqual([
      [1, 307],
      [2, 204],
    ]);
    // The receiver's Location (another server) was never called.
    expect(target.requests()).toBe(0);
  });

  it.skipIf(skip)(
    "a private address is refused when subscribing, and again when delivering",
    async () => {
      const { teams, start, store } = await world({ allowPrivate: false });
      const receiver = await startReceiver();
      cleanup(receiver.close);
      // The same store with the default rule: no private receivers.
      const strict = createTeams({ db: store.db, kind: store.kind });
      for (const url of [
        receiver.url,
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
        "http://[::ffff:127.0.0.1]:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest",
      ]) {
        const attempt = strict.adminPutWebhook(admin, "hook", { url, secret: TEST_SECRET });
        await expect(attempt).rejects.toBeInstanceOf(Invalid);
      }
      // Subscribed while private receivers were allowed; the worker no longer allows them.
      await subscribe(teams, "hook", receiver.url);
      start();
      await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
      const refused = await attempts(teams, "hook", 2);
      expect(refused[0]?.status).toBeNull();
      expect(refused[0]?.error).toMatch(/127\.0\.0\.1 is loopback, private or link-local/);
      expect(receiver.requests()).toBe(0);
    },
  );
});

describe.skipIf(noPostgres)("webhooks on PostgreSQL with two instances", () => {
  it("sends each delivery from one instance at a time, in order, once", async () => {
    const database = await freshDatabase();
    cleanup(() => database.drop());
    const receiver = await startReceiver({ delayMs: 5 });
    cleanup(receiver.close);
    const workers: WebhookWorker[] = [];
    const instances: Teams[] = [];
    for (const owner of ["one", "two"]) {
      const store = await openPostgresStore({ url: database.url });
      const teams = nudgingTeams(store, workers);
      instances.push(teams);
      workers.push(
        startWebhookWorker({
          outbox: teams.webhookOutbox,
          targets: { allowPrivate: true },
          timeoutMs: 5000,
          owner,
          pollMs: 10,
          idleMs: 30,
          batch: 3,
        }),
      );
      cleanup(async () => {
        await store.close();
      });
    }
    cleanup(async () => {
      for (const w of workers) await w.close();
    });
    const [one, two] = instances as [Teams, Teams];
    await seedWorld(one);
    await one.adminPutWebhook(admin, "hook", { url: receiver.url, secret: TEST_SECRET });
    for (let i = 0; i < 30; i++) {
      const teams = i % 2 === 0 ? one : two;
      await teams.authorizeTeam(ann, "club", { scopes: [i % 3 === 0 ? "profile" : "data:read"] });
      await teams.revokeTeam(ann, "club");
    }
    await receiver.until(() => receiver.received.length >= 60, 30_000);
    const ids = receiver.received.map((r) => Number(r.id));
    expect(ids).toHaveLength(60);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(60);
    expect(receiver.maxInFlight()).toBe(1);
  });
});
