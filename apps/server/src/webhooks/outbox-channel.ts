import type { MessagePort, Worker } from "node:worker_threads";
import type { WebhookTargets } from "@teams/core";
import type { DeliveryOutcome } from "./webhook-sender.js";
import {
  DELIVERY_OUTBOX_CALLS,
  type DeliveryFacts,
  type DeliveryOutbox,
} from "./webhook-worker.js";

/*
 * The messages between the server's thread and its webhook thread (webhook-thread.ts).
 *
 * The contract. The webhook thread only sends: every read and write of the outbox it makes is a
 * call answered by the server's thread on the server's own store, so the thread holds no store
 * connection (no second SQLite writer contending for the lock with the group commit, a `:memory:`
 * database works, no second PostgreSQL pool) and the rules of the outbox stay in one place. What
 * moves to the thread is the part that needed an idle event loop: one receiver's events go one
 * after the other, and each answer waited for the server's turn of the loop under load.
 * Calls carry only structured-clone data (plain objects, strings, numbers); an error comes back as
 * its name and message.
 */

type Method = keyof DeliveryOutbox;
const METHODS: ReadonlySet<string> = new Set<Method>(DELIVERY_OUTBOX_CALLS);

/** An error as it crosses the channel. */
interface SentError {
  name: string;
  message: string;
}

/** A delivery attempt's outcome and facts, as the observer is told of it. */
export type SentDelivery = [DeliveryOutcome, DeliveryFacts];

/** From the server's thread to the webhook thread. */
export type ToThread =
  | { type: "reply"; id: number; value: unknown }
  | { type: "failed"; id: number; error: SentError }
  | { type: "nudge" }
  | { type: "close" };

/** From the webhook thread to the server's thread. */
export type FromThread =
  | { type: "call"; id: number; method: Method; args: unknown[] }
  | { type: "deliveries"; items: SentDelivery[] }
  | { type: "error"; error: SentError }
  | { type: "closed" };

export function sendableError(error: unknown): SentError {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Error", message: String(error) };
}

/** An error that came over the channel, with the name it had. */
export function receivedError(sent: SentError): Error {
  const error = new Error(sent.message);
  error.name = sent.name;
  return error;
}

/**
 * Answers the webhook thread's outbox calls from `outbox` (the server's thread). A call the
 * channel does not know is answered as failed.
 */
export function answerCall(
  thread: Pick<Worker, "postMessage">,
  outbox: DeliveryOutbox,
  call: Extract<FromThread, { type: "call" }>,
): Promise<void> {
  const { id, method, args } = call;
  const run = METHODS.has(method)
    ? (outbox[method] as (...a: unknown[]) => Promise<unknown>)(...args)
    : Promise.reject(new Error(`no outbox call ${String(method)}`));
  return run.then(
    (value) => thread.postMessage({ type: "reply", id, value } satisfies ToThread),
    (error: unknown) =>
      thread.postMessage({ type: "failed", id, error: sendableError(error) } satisfies ToThread),
  );
}

/**
 * The outbox as the webhook thread sees it: each call posted to the server's thread and resolved
 * by its reply. `receive` is given every message from the server's thread.
 */
export function remoteOutbox(port: Pick<MessagePort, "postMessage">): {
  outbox: DeliveryOutbox;
  receive(message: ToThread): void;
} {
  let next = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const call =
    (method: Method) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        port.postMessage({ type: "call", id, method, args } satisfies FromThread);
      });
  const outbox = Object.fromEntries(
    DELIVERY_OUTBOX_CALLS.map((method) => [method, call(method)]),
  ) as unknown as DeliveryOutbox;
  return {
    outbox,
    receive(message) {
      if (message.type !== "reply" && message.type !== "failed") return;
      const waiter = waiting.get(message.id);
      if (!waiter) return;
      waiting.delete(message.id);
      if (message.type === "reply") waiter.resolve(message.value);
      else waiter.reject(receivedError(message.error));
    },
  };
}

/** What the webhook thread is started with (its `workerData`). */
export interface ThreadSettings {
  targets: WebhookTargets;
  timeoutMs: number;
  owner: string;
  pollMs?: number;
  leaseMs?: number;
  batch?: number;
  idleMs?: number;
  keepAttemptsMs?: number;
  /** Whether the server's thread wants each attempt told (metrics, the log). */
  observe: boolean;
}
