import type { WebhookOutbox } from "@teams/core";
import { describe, expect, it } from "vitest";
import { startWebhookWorker } from "./webhook-worker.js";

/** An outbox whose look for due subscriptions answers only when told, and that counts its calls. */
function slowOutbox() {
  let answer: (() => void) | undefined;
  const calls: string[] = [];
  const outbox = {
    due: (owner: string) => {
      calls.push(`due ${owner}`);
      return new Promise((resolve) => {
        answer = () => resolve([]);
      });
    },
    pending: async () => [],
    lease: async () => undefined,
    settle: async () => false,
    release: async () => {},
    prune: async () => {},
  } as unknown as WebhookOutbox;
  return { outbox, calls, answer: () => answer?.() };
}

describe("the webhook worker's close", () => {
  it("waits for a look in progress, so that no query outlives it (the store closes next)", async () => {
    const { outbox, calls, answer } = slowOutbox();
    const worker = startWebhookWorker({
      outbox,
      targets: { allowPrivate: true },
      timeoutMs: 1000,
      owner: "one",
      pollMs: 5,
    });
    expect(calls).toEqual(["due one"]);
    let closed = false;
    const closing = worker.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(closed).toBe(false);
    answer();
    await closing;
    expect(closed).toBe(true);
    // Nothing more is asked of the store after close.
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual(["due one"]);
  });
});

describe("the webhook worker's nudges", () => {
  /** An outbox whose due subscriptions are `subscriptions`, counting its looks; no rows to send. */
  function countingOutbox(subscriptions: unknown[]) {
    const looks = { count: 0 };
    const outbox = {
      due: async () => {
        looks.count++;
        return subscriptions;
      },
      pending: async () => [],
      lease: async () => undefined,
      settle: async () => false,
      release: async () => {},
      prune: async () => {},
    } as unknown as WebhookOutbox;
    return { outbox, looks };
  }
  const settle = () => new Promise((r) => setTimeout(r, 20));
  const start = (outbox: WebhookOutbox) =>
    startWebhookWorker({
      outbox,
      targets: { allowPrivate: true },
      timeoutMs: 1000,
      pollMs: 60_000,
    });

  it("look again at a commit while the last look found a subscription", async () => {
    const subscription = { id: "wh-1", url: "http://127.0.0.1:9/", eventTypes: [], secret: "s" };
    const { outbox, looks } = countingOutbox([subscription]);
    const worker = start(outbox);
    await settle();
    expect(looks.count).toBe(1);
    worker.nudge();
    await settle();
    expect(looks.count).toBe(2);
    await worker.close();
  });

  it("leave it to the poll while the last look found none (no store call a commit under writes)", async () => {
    const { outbox, looks } = countingOutbox([]);
    const worker = start(outbox);
    await settle();
    expect(looks.count).toBe(1);
    for (let i = 0; i < 5; i++) {
      worker.nudge();
      await settle();
    }
    expect(looks.count).toBe(1);
    await worker.close();
  });
});
