import { sql } from "kysely";
import type { CommitPosition } from "./commit-order.js";
import type { Store } from "./context.js";
import { slowestPosition } from "./webhook-queries.js";

// Writes of the webhook subscriptions, their leases and delivery attempts, and the outbox's
// pruning (migration 10). Each runs in the caller's write transaction. (The outbox rows themselves
// are written with the consent log records, in store-writes.ts.)

/** A subscription's fields as its admin puts them. */
export interface WebhookFields {
  url: string;
  secret: string;
  /** Space-separated; null for every type. */
  event_types: string | null;
}

/**
 * Creates a subscription whose cursor starts at `start` (the outbox's end: it gets the changes
 * committed from now on), or replaces an existing one's fields, keeping its cursor. True when it
 * was created.
 */
export async function putWebhookRow(
  s: Store,
  id: string,
  fields: WebhookFields,
  now: string,
  start: CommitPosition | undefined,
): Promise<boolean> {
  const updated = await s.db
    .updateTable("webhooks")
    .set({ ...fields, updated_at: now })
    .where("id", "=", id)
    .executeTakeFirst();
  if (updated.numUpdatedRows > 0n) return false;
  await s.db
    .insertInto("webhooks")
    .values({
      id,
      ...fields,
      created_at: now,
      updated_at: now,
      position_tx: start?.tx ?? null,
      position_id: start?.id ?? null,
      attempts: 0,
    })
    .execute();
  return true;
}

/** Deletes a subscription with its delivery attempts. False when there was none. */
export async function deleteWebhookRow(s: Store, id: string): Promise<boolean> {
  await s.db.deleteFrom("webhook_deliveries").where("webhook_id", "=", id).execute();
  const deleted = await s.db.deleteFrom("webhooks").where("id", "=", id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/**
 * Takes (or renews) the lease of a subscription for `owner` until `until`, unless another
 * instance holds a lease that has not run out. True when `owner` holds it.
 */
export async function leaseWebhook(
  s: Store,
  id: string,
  owner: string,
  now: string,
  until: string,
): Promise<boolean> {
  const taken = await s.db
    .updateTable("webhooks")
    .set({ lease_until: until, lease_owner: owner })
    .where("id", "=", id)
    .where((eb) =>
      eb.or([
        eb("lease_until", "is", null),
        eb("lease_until", "<", now),
        eb("lease_owner", "=", owner),
      ]),
    )
    .executeTakeFirst();
  return taken.numUpdatedRows > 0n;
}

/** One attempt at delivering an event, as recorded. */
export interface DeliveryAttempt {
  eventId: string;
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** How a run of deliveries to one subscription ended. */
export interface DeliverySettlement {
  attempts: readonly DeliveryAttempt[];
  /** The last row passed (delivered or not wanted); absent when none was. */
  passed?: CommitPosition | undefined;
  /** Failed attempts at the event after `passed` (0 when the run ended at no failure). */
  failedAttempts: number;
  /** The run stopped at a failed attempt: try again at this instant. */
  retryAt?: string | undefined;
  /** The lease: renewed until this instant, or given up (null). */
  leaseUntil: string | null;
}

/**
 * Records a run's attempts and moves the subscription's cursor past what was delivered, as the
 * lease holder `owner`. False when `owner` no longer held the lease (it ran out and another
 * instance took it, or the subscription was deleted): the cursor is left as that instance keeps it.
 */
export async function settleDeliveries(
  s: Store,
  id: string,
  owner: string,
  run: DeliverySettlement,
): Promise<boolean> {
  const updated = await s.db
    .updateTable("webhooks")
    .set({
      ...(run.passed ? { position_tx: run.passed.tx, position_id: run.passed.id } : {}),
      attempts: run.failedAttempts,
      next_attempt_at: run.retryAt ?? null,
      lease_until: run.leaseUntil,
      lease_owner: run.leaseUntil === null ? null : owner,
    })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  const held = updated.numUpdatedRows > 0n;
  if (run.attempts.length > 0) {
    // Attempts that were made are recorded even when the lease was lost, while the subscription
    // exists.
    const exists =
      held ||
      (await s.db.selectFrom("webhooks").select("id").where("id", "=", id).executeTakeFirst());
    if (exists) {
      await s.db
        .insertInto("webhook_deliveries")
        .values(
          run.attempts.map((a) => ({
            webhook_id: id,
            event_id: a.eventId,
            attempt: a.attempt,
            at: a.at,
            status: a.status,
            error: a.error,
            duration_ms: a.durationMs,
          })),
        )
        .execute();
    }
  }
  return held;
}

/** Gives up `owner`'s lease of a subscription (nothing left to send). */
export async function releaseWebhook(s: Store, id: string, owner: string): Promise<void> {
  await s.db
    .updateTable("webhooks")
    .set({ lease_until: null, lease_owner: null })
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .execute();
}

/**
 * Deletes the outbox rows every subscription has passed (all of them when there is none: a new
 * subscription starts at the end), and delivery attempts recorded before `attemptsBefore`.
 */
export async function pruneOutbox(s: Store, attemptsBefore: string): Promise<void> {
  const slowest = await slowestPosition(s);
  if (slowest === null) {
    await s.db.deleteFrom("webhook_outbox").execute();
  } else if (slowest !== undefined) {
    await s.db
      .deleteFrom("webhook_outbox")
      .where(
        sql<boolean>`(tx, id) <= (cast(${slowest.tx} as bigint), cast(${slowest.id} as bigint))`,
      )
      .execute();
  }
  await s.db.deleteFrom("webhook_deliveries").where("at", "<", attemptsBefore).execute();
}
