import { randomUUID } from "node:crypto";
import type {
  CommitPosition,
  DeliveryAttempt,
  DeliverySettlement,
  OutboxEvent,
  WebhookOutbox,
  WebhookTarget,
} from "@teams/core";
// Only the delivery rules: this module runs in the webhook thread, which must not load the core.
import {
  checkWebhookTarget,
  retryDelayMs,
  type WebhookTargets,
  wantsEvent,
} from "@teams/core/webhook-delivery";
import { Webhook } from "standardwebhooks";
import { type AttemptResult, type DeliveryOutcome, sendEvent } from "./webhook-sender.js";

/** One attempt as the log line of a delivery tells it (no secret, no body). */
export interface DeliveryFacts {
  webhook_id: string;
  event_id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

/** What a worker tells the metrics and the log: each attempt's outcome. */
export interface DeliveryObserver {
  onDelivery(outcome: DeliveryOutcome, facts: DeliveryFacts): void;
}

/** The calls a delivery worker makes of the outbox (the core's `webhookOutbox`, minus the metrics read). */
export const DELIVERY_OUTBOX_CALLS = [
  "due",
  "pending",
  "lease",
  "settle",
  "release",
  "prune",
] as const satisfies readonly (keyof WebhookOutbox)[];

/** What a delivery worker asks of the outbox. */
export type DeliveryOutbox = Pick<WebhookOutbox, (typeof DELIVERY_OUTBOX_CALLS)[number]>;

export interface WebhookWorkerOptions {
  outbox: DeliveryOutbox;
  /** Where receivers may be (checked again before each run: DNS can change). */
  targets: WebhookTargets;
  /** How long a receiver may take to answer (TEAMS_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** This instance's name in the leases. Default a random one. */
  owner?: string;
  /** How often the subscriptions are looked at without a nudge, in ms. Default 150. */
  pollMs?: number;
  /**
   * How long a lease lasts unless renewed, in ms (TEAMS_WEBHOOK_LEASE_MS): the longest an
   * instance that died keeps its subscribers waiting. Renewed every third of it. Default 10000.
   */
  leaseMs?: number;
  /** Outbox rows read per run step. Default 100. */
  batch?: number;
  /** How long a subscriber's run waits for new rows before giving its lease up, in ms. Default 1000. */
  idleMs?: number;
  /** Attempts older than this are deleted, in ms. Default 7 days. */
  keepAttemptsMs?: number;
  observer?: DeliveryObserver;
  /** An unexpected error (a store that fails); the worker carries on. Default: dropped. */
  onError?: (error: unknown) => void;
  /** Source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface WebhookWorker {
  /** Something was committed: look now rather than at the next poll. */
  nudge(): void;
  /** Stops: each subscriber's run ends after the attempt it is making, leases given up. */
  close(): Promise<void>;
}

/** Wakes the runs waiting for new rows, or lets them go on after `ms`. */
class Signal {
  #waiters: (() => void)[] = [];
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#waiters = self.#waiters.filter((w) => w !== done);
        resolve();
      }
      this.#waiters.push(done);
    });
  }
  notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/**
 * Delivers the outbox to every subscription (issue 16): each subscriber in its own run, one event
 * at a time in commit order, its cursor moved only past a 2xx (at least once), a failure retried
 * with exponential backoff and full jitter, every attempt recorded. A subscriber that is down
 * only waits for itself. Across instances a lease on the subscription row lets one send at a time.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { outbox, targets, timeoutMs } = options;
  const owner = options.owner ?? randomUUID();
  const pollMs = options.pollMs ?? 150;
  const leaseMs = options.leaseMs ?? 10_000;
  const batch = options.batch ?? 100;
  const idleMs = options.idleMs ?? 1000;
  const keepAttemptsMs = options.keepAttemptsMs ?? 7 * 24 * 3600_000;
  const onError = options.onError ?? (() => {});
  const random = options.random ?? Math.random;
  const observer = options.observer;
  const running = new Map<string, Promise<void>>();
  const signal = new Signal();
  let closing = false;
  // Aborts the attempts in flight when the worker closes (they are made again by the next run).
  const stopping = new AbortController();
  // The look in progress, if any: close() waits for it so that no query outlives the worker.
  let ticking: Promise<void> | undefined;
  let again = false;
  let nudged: NodeJS.Timeout | undefined;
  // Whether the last look found a subscription to send to. When it found none, a commit's nudge
  // waits for the next poll rather than asking again: new rows cannot make a subscription due, and
  // a new subscription or an ended retry wait is found by the poll within `pollMs` either way. Under
  // writes with no subscriber, each look was a call to the server's thread and a query there
  // (authorize/revoke 315 → 301 and 341 → 301 µs of CPU a request in two A/B rounds).
  let found = true;

  function tick(): Promise<void> {
    if (closing) return Promise.resolve();
    if (ticking) {
      again = true;
      return ticking;
    }
    ticking = look().finally(() => {
      ticking = undefined;
    });
    return ticking;
  }

  async function look(): Promise<void> {
    try {
      do {
        again = false;
        const due = await outbox.due(owner);
        found = due.length > 0;
        for (const target of due) {
          if (running.has(target.id) || closing) continue;
          const run = deliver(target)
            .catch(onError)
            .finally(() => {
              running.delete(target.id);
              // Its lease given up, the subscription is due again: the next nudge looks.
              found = true;
            });
          running.set(target.id, run);
        }
      } while (again && !closing);
    } catch (error) {
      onError(error);
    }
  }

  /** One subscriber's run: while it holds the lease and has rows, send them in order. */
  async function deliver(due: WebhookTarget): Promise<void> {
    // Only a subscription with a row to send is leased (a lease is a write).
    if ((await outbox.pending(due.position, 1)).length === 0) return;
    let target = await outbox.lease(due.id, owner, leaseMs);
    if (!target) return;
    const signer = new Webhook(target.secret);
    let leaseEnds = Date.now() + leaseMs;
    let idleSince: number | undefined;
    // Renewed while sending (an attempt may take up to the timeout); lost, the run stops.
    let lost = false;
    const id = target.id;
    let renewing: Promise<void> | undefined;
    const renew = setInterval(() => {
      renewing = outbox
        .lease(id, owner, leaseMs)
        .then((held) => {
          if (held) leaseEnds = Date.now() + leaseMs;
          else lost = true;
        })
        .catch(onError);
    }, leaseMs / 3);
    // The next rows are read while these are sent, and a step's record is written while the next
    // step's rows are sent: a receiver's events go out back to back, the outbox's round trips (calls
    // to the server's thread, from a webhook thread) hidden behind them. Each record is written
    // after the one before it, and only while the lease is still held.
    const read = (from: CommitPosition | undefined) => {
      const rows = outbox.pending(from, batch);
      // Awaited at the next step, or dropped when the run ends (a failure there is that step's).
      rows.catch(() => {});
      return { from, rows };
    };
    let reading = read(target.position);
    let recording: Promise<boolean> | undefined;
    try {
      while (!closing && !lost) {
        if (reading.from !== target.position) reading = read(target.position);
        const events = await reading.rows;
        if (events.length === 0) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= idleMs) break;
          await signal.wait(pollMs);
          reading = read(target.position);
          continue;
        }
        idleSince = undefined;
        reading = read((events[events.length - 1] as OutboxEvent).position);
        const refused = await checkWebhookTarget(target.url, targets);
        const attempts: DeliveryAttempt[] = [];
        let passed: CommitPosition | undefined = target.position;
        let failures: number = target.failedAttempts;
        let retryAt: string | undefined;
        for (const event of events) {
          if (!wantsEvent(target.eventTypes, event.type)) {
            passed = event.position;
            continue;
          }
          const at = new Date().toISOString();
          const result: AttemptResult =
            refused === null
              ? await sendEvent(target.url, signer, event, timeoutMs, stopping.signal)
              : { outcome: "refused", status: null, error: refused, durationMs: 0 };
          // Cut short by close(): not an attempt the receiver could have answered.
          if (stopping.signal.aborted) break;
          observer?.onDelivery(result.outcome, {
            webhook_id: target.id,
            event_id: event.eventId,
            attempt: failures + 1,
            status: result.status,
            error: result.error,
            duration_ms: result.durationMs,
          });
          attempts.push({
            eventId: event.eventId,
            attempt: failures + 1,
            at,
            status: result.status,
            error: result.error,
            durationMs: result.durationMs,
          });
          if (result.outcome !== "delivered") {
            failures += 1;
            retryAt = new Date(Date.now() + retryDelayMs(failures, random())).toISOString();
            break;
          }
          failures = 0;
          passed = event.position;
          // Renew the lease (by settling) well before it runs out, and stop promptly on close.
          if (closing || lost || Date.now() > leaseEnds - leaseMs / 2) break;
        }
        const leaseUntil =
          retryAt === undefined ? new Date(Date.now() + leaseMs).toISOString() : null;
        const run: DeliverySettlement = {
          attempts,
          passed: passed === target.position ? undefined : passed,
          failedAttempts: failures,
          retryAt,
          leaseUntil,
        };
        const previous = recording ?? Promise.resolve(true);
        recording = previous.then(async (held) => {
          if (!held || !(await outbox.settle(id, owner, run))) return false;
          if (leaseUntil !== null) leaseEnds = Math.max(leaseEnds, Date.parse(leaseUntil));
          return true;
        });
        // Awaited below or at the run's end.
        recording.catch(() => {});
        if (retryAt !== undefined) {
          await recording;
          return;
        }
        // The step before this one was recorded by now, as a rule: a lost lease ends the run.
        if (!(await previous)) return;
        target = { ...target, position: passed, failedAttempts: failures };
      }
      if (recording === undefined || (await recording)) await outbox.release(target.id, owner);
    } catch (error) {
      // The lease runs out by itself; the next run starts from the cursor as recorded.
      onError(error);
    } finally {
      clearInterval(renew);
      // No call of this run outlives it (close() waits for runs, then the store closes).
      await recording?.catch(() => {});
      await reading.rows.catch(() => {});
      // A renewal in flight ends before the run does (close() waits for runs, then the store closes).
      await renewing;
    }
  }

  const poll = setInterval(() => void tick(), pollMs);
  poll.unref();
  let pruning: Promise<void> | undefined;
  const prune = setInterval(() => {
    if (!closing) pruning = outbox.prune(keepAttemptsMs).catch(onError);
  }, 5000);
  prune.unref();
  void tick();

  return {
    nudge() {
      signal.notify();
      if (nudged !== undefined || closing || !found) return;
      // Many commits in a burst make one look.
      nudged = setTimeout(() => {
        nudged = undefined;
        void tick();
      }, 2);
    },
    async close() {
      closing = true;
      clearInterval(poll);
      clearInterval(prune);
      if (nudged !== undefined) clearTimeout(nudged);
      signal.notify();
      stopping.abort();
      await ticking;
      await Promise.allSettled([...running.values(), pruning]);
    },
  };
}
