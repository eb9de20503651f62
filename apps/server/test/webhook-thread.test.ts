import type { Teams } from "@teams/core";
import { admin, delegated } from "@teams/core/testing";
import { describe, expect, it } from "vitest";
import type { DeliveryOutcome } from "../src/webhooks/webhook-sender.js";
import { startWebhookThread } from "../src/webhooks/webhook-thread.js";
import { DELIVERY_OUTBOX_CALLS, type DeliveryFacts } from "../src/webhooks/webhook-worker.js";
import { bothStores } from "./support/both-stores.js";
import { startReceiver, TEST_SECRET } from "./support/webhook-receiver.js";
import { webhookWorld } from "./support/webhook-world.js";

// The server's delivery worker in a worker thread of its own (webhook-thread.ts), its outbox
// answered by this thread's store: what a receiver and the observer get, and its close.

const ann = delegated("ann", "coach");

const { stores, cleanup } = bothStores();

describe.each(stores)("the webhook thread on %s", (_name, skip, open) => {
  async function world() {
    const { teams, track } = await webhookWorld(open, cleanup);
    // Every outbox call the thread makes, by name.
    const calls: string[] = [];
    const outbox = Object.fromEntries(
      DELIVERY_OUTBOX_CALLS.map((method) => [
        method,
        (...args: unknown[]) => {
          calls.push(method);
          return (teams.webhookOutbox[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        },
      ]),
    ) as unknown as Teams["webhookOutbox"];
    const told: [DeliveryOutcome, DeliveryFacts][] = [];
    const errors: unknown[] = [];
    const start = () =>
      track(
        startWebhookThread({
          outbox,
          targets: { allowPrivate: true },
          timeoutMs: 5000,
          pollMs: 20,
          idleMs: 100,
          // Small steps: the reads and records of many steps overlap the sends.
          batch: 7,
          observer: { onDelivery: (outcome, facts) => told.push([outcome, facts]) },
          onError: (e) => errors.push(e),
        }),
      );
    return { teams, start, calls, told, errors };
  }

  it.skipIf(skip)(
    "delivers every change in log order, signed, and tells each attempt back",
    async () => {
      const { teams, start, told, errors } = await world();
      const receiver = await startReceiver();
      cleanup(receiver.close);
      await teams.adminPutWebhook(admin, "hook", { url: receiver.url, secret: TEST_SECRET });
      start();
      for (let i = 0; i < 15; i++) {
        await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
        await teams.revokeTeam(ann, "club");
      }
      await receiver.until(() => receiver.received.length >= 30);
      expect(receiver.forged).toEqual([]);
      const types = receiver.received.map((r) => r.body.type);
      expect(types).toEqual(
        Array.from({ length: 30 }, (_, i) =>
          i % 2 === 0 ? "authorization.granted" : "authorization.revoked",
        ),
      );
      const ids = receiver.received.map((r) => r.body.data.id as number);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      // Recorded through this thread's store, and told here (for the metrics and the log).
      // (A step is recorded after its sends.)
      await expect
        .poll(async () => {
          const recorded = await teams.adminListWebhookDeliveries(admin, "hook", { limit: 100 });
          return recorded.items.map((d) => [String(d.event_id), d.status]);
        })
        .toEqual(receiver.received.map((r) => [r.id, 204]));
      await expect.poll(() => told.length).toBe(30);
      expect(told.map(([outcome, facts]) => [outcome, facts.event_id, facts.status])).toEqual(
        receiver.received.map((r) => ["delivered", r.id, 204]),
      );
      expect(errors).toEqual([]);
    },
  );

  it.skipIf(skip)(
    "a failed attempt is recorded and told, and the event delivered once the receiver answers",
    async () => {
      const { teams, start, told } = await world();
      const receiver = await startReceiver({ answer: (n) => (n === 1 ? 500 : 204) });
      cleanup(receiver.close);
      await teams.adminPutWebhook(admin, "hook", { url: receiver.url, secret: TEST_SECRET });
      start();
      await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
      // The first retry comes within the backoff's first ceiling (1 s).
      await receiver.until(() => receiver.received.length >= 1);
      await expect
        .poll(async () => {
          const recorded = await teams.adminListWebhookDeliveries(admin, "hook", {});
          return recorded.items.map((d) => [d.attempt, d.status]);
        })
        .toEqual([
          [1, 500],
          [2, 204],
        ]);
      await expect.poll(() => told.length).toBe(2);
      expect(told.map(([outcome, facts]) => [outcome, facts.attempt])).toEqual([
        ["http_error", 1],
        ["delivered", 2],
      ]);
    },
  );

  it.skipIf(skip)("close ends the thread's runs, and no outbox call comes after it", async () => {
    const { teams, start, calls } = await world();
    const receiver = await startReceiver({ delayMs: 300 });
    cleanup(receiver.close);
    await teams.adminPutWebhook(admin, "hook", { url: receiver.url, secret: TEST_SECRET });
    const thread = start();
    await teams.authorizeTeam(ann, "club", { scopes: ["data:read"] });
    await expect.poll(() => receiver.maxInFlight()).toBe(1);
    await thread.close();
    const after = calls.length;
    // The run gave its lease up (a later one starts from the cursor as recorded).
    expect(calls.at(-1)).toBe("release");
    await new Promise((r) => setTimeout(r, 200));
    expect(calls.length).toBe(after);
    const hook = await teams.adminGetWebhook(admin, "hook");
    expect(hook.failed_attempts).toBe(0);
  });
});
