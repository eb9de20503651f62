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
