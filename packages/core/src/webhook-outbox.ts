import type { CommitPosition } from "./commit-order.js";
import type { Context } from "./context.js";
import * as q from "./webhook-queries.js";
import * as w from "./webhook-writes.js";

export type { OutboxEvent } from "./webhook-queries.js";
export type { DeliveryAttempt, DeliverySettlement } from "./webhook-writes.js";

/** A subscription as its sender needs it. */
export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
  /** Space-separated; null for every type. */
  eventTypes: string | null;
  position: CommitPosition | undefined;
  /** Failed attempts at the next event. */
  failedAttempts: number;
}

const toTarget = (row: q.WebhookRow): WebhookTarget => ({
  id: row.id,
  url: row.url,
  secret: row.secret,
  eventTypes: row.event_types,
  position: q.positionOf(row),
  failedAttempts: row.attempts,
});

/**
 * What a delivery worker of the host uses (the core does no HTTP): which subscriptions are due,
 * their leases, the outbox rows each has yet to get, and the record of each run.
 */
export function webhookOutbox(ctx: Context) {
  const { store } = ctx;
  return {
    /** The subscriptions `owner` may send to now (no retry waiting, no other lease running). */
    async due(owner: string): Promise<WebhookTarget[]> {
      return (await q.dueWebhookRows(store, ctx.now(), owner)).map(toTarget);
    },
    /** The next outbox rows after a cursor, in commit order, at most `limit`. */
    pending(position: CommitPosition | undefined, limit: number): Promise<q.OutboxEvent[]> {
      return q.outboxAfter(store, position, limit);
    },
    /**
     * Takes the subscription's lease for `owner` for `ms`, and answers the subscription as it is
     * under the lease (its cursor), or undefined when another instance holds it.
     */
    async lease(id: string, owner: string, ms: number): Promise<WebhookTarget | undefined> {
      const now = new Date(ctx.now());
      return ctx.write(async (tx) => {
        const until = new Date(now.getTime() + ms).toISOString();
        if (!(await w.leaseWebhook(tx, id, owner, now.toISOString(), until))) return undefined;
        const row = await q.findWebhook(tx, id);
        return row && toTarget(row);
      });
    },
    /** Records a run (see `settleDeliveries`); false when the lease was lost meanwhile. */
    settle(id: string, owner: string, run: w.DeliverySettlement): Promise<boolean> {
      return ctx.write((tx) => w.settleDeliveries(tx, id, owner, run));
    },
    /** Gives the lease up. */
    release(id: string, owner: string): Promise<void> {
      return ctx.write((tx) => w.releaseWebhook(tx, id, owner));
    },
    /**
     * Deletes the outbox rows every subscription has passed, and attempts recorded more than
     * `keepAttemptsMs` ago.
     */
    prune(keepAttemptsMs: number): Promise<void> {
      const before = new Date(Date.parse(ctx.now()) - keepAttemptsMs).toISOString();
      return ctx.write((tx) => w.pruneOutbox(tx, before));
    },
    /**
     * How old, in seconds, the oldest outbox row a subscription still waits for is; null when
     * none waits (for `/readyz` and `teams_webhook_outbox_age_seconds`).
     */
    async outboxAge(): Promise<number | null> {
      const oldest = await q.oldestUndelivered(store);
      return oldest === null
        ? null
        : Math.max(0, (Date.parse(ctx.now()) - Date.parse(oldest)) / 1000);
    },
  };
}

export type WebhookOutbox = ReturnType<typeof webhookOutbox>;
