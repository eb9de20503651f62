import type { Selectable } from "kysely";
import { type CommitPosition, commitPositionOf, inCommitOrder } from "./commit-order.js";
import type { Store } from "./context.js";
import type { WebhookDeliveriesTable, WebhooksTable } from "./database.js";
import { prepare, prepareShaped } from "./prepared-query.js";
import type { WebhookDelivery, WebhookResponse } from "./schemas.js";

// Reads of the webhook subscriptions, their outbox and their delivery attempts (migration 10).

export type WebhookRow = Selectable<WebhooksTable>;

/** One outbox row as a delivery reads it. */
export interface OutboxEvent {
  position: CommitPosition;
  /** The consent log record's id: the `webhook-id`. */
  eventId: string;
  type: string;
  /** The body as sent. */
  payload: string;
}

/** A subscription's cursor; undefined before every row. */
export function positionOf(row: WebhookRow): CommitPosition | undefined {
  return row.position_tx === null || row.position_id === null
    ? undefined
    : { tx: String(row.position_tx), id: String(row.position_id) };
}

export function toWebhookResponse(row: WebhookRow): WebhookResponse {
  return {
    id: row.id,
    url: row.url,
    secret_hint: `${row.secret.slice(0, 10)}…`,
    event_types:
      row.event_types === null
        ? null
        : (row.event_types.split(" ") as NonNullable<WebhookResponse["event_types"]>),
    created_at: row.created_at,
    updated_at: row.updated_at,
    failed_attempts: row.attempts,
    next_attempt_at: row.next_attempt_at,
  };
}

const webhookById = prepare(({ db }, id: string) =>
  db.selectFrom("webhooks").selectAll().where("id", "=", id),
);

export async function findWebhook(s: Store, id: string): Promise<WebhookRow | undefined> {
  return (await webhookById(s, id)).rows[0];
}

/** Every subscription, by id. */
export async function listWebhookRows(s: Store): Promise<WebhookRow[]> {
  return s.db.selectFrom("webhooks").selectAll().orderBy("id").execute();
}

/**
 * The subscriptions an instance may send to now: no retry waiting, and no other instance's
 * lease running.
 */
export async function dueWebhookRows(s: Store, now: string, owner: string): Promise<WebhookRow[]> {
  return s.db
    .selectFrom("webhooks")
    .selectAll()
    .where((eb) =>
      eb.and([
        eb.or([eb("next_attempt_at", "is", null), eb("next_attempt_at", "<=", now)]),
        eb.or([
          eb("lease_until", "is", null),
          eb("lease_until", "<", now),
          eb("lease_owner", "=", owner),
        ]),
      ]),
    )
    .orderBy("id")
    .execute();
}

/** The outbox rows after `after` that no running transaction can precede, at most `limit`. */
export async function outboxAfter(
  s: Store,
  after: CommitPosition | undefined,
  limit: number,
): Promise<OutboxEvent[]> {
  const rows = await inCommitOrder(
    s.db.selectFrom("webhook_outbox").select(["tx", "id", "event_id", "type", "payload"]),
    s.kind.family,
    after,
  )
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    position: commitPositionOf(r),
    eventId: String(r.event_id),
    type: r.type,
    payload: r.payload,
  }));
}

/** Where the outbox ends now: the last row no running transaction can precede (undefined: none). */
export async function outboxEnd(s: Store): Promise<CommitPosition | undefined> {
  const row = await inCommitOrder(
    s.db.selectFrom("webhook_outbox").select(["tx", "id"]),
    s.kind.family,
    undefined,
  )
    .clearOrderBy()
    .orderBy("tx", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row && commitPositionOf(row);
}

/** The subscription furthest behind: its cursor (undefined before every row), or null for none. */
export async function slowestPosition(s: Store): Promise<CommitPosition | undefined | null> {
  const row = await s.db
    .selectFrom("webhooks")
    .select(["position_tx", "position_id"])
    // NULL (before every row) first on both stores.
    .orderBy((eb) => eb.case().when("position_id", "is", null).then(0).else(1).end())
    .orderBy("position_tx")
    .orderBy("position_id")
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return row.position_tx === null || row.position_id === null
    ? undefined
    : { tx: String(row.position_tx), id: String(row.position_id) };
}

/** When the oldest outbox row some subscription still waits for was written; null for none. */
export async function oldestUndelivered(s: Store): Promise<string | null> {
  const slowest = await slowestPosition(s);
  if (slowest === null) return null;
  const [first] = await outboxAfter(s, slowest, 1);
  if (!first) return null;
  const row = await s.db
    .selectFrom("webhook_outbox")
    .select("created_at")
    .where("id", "=", first.position.id)
    .executeTakeFirst();
  return row?.created_at ?? null;
}

type DeliveryRow = Selectable<WebhookDeliveriesTable>;

function toWebhookDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: Number(row.id),
    event_id: Number(row.event_id),
    attempt: row.attempt,
    at: row.at,
    status: row.status,
    error: row.error,
    duration_ms: row.duration_ms,
  };
}

const deliveriesOf = prepareShaped(
  ["after", "limited"],
  ({ db }, shape, webhookId: string, after: number, rows: number) => {
    let query = db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", webhookId);
    if (shape.after) query = query.where("id", ">", after);
    query = query.orderBy("id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/** A page of a webhook's delivery attempts, oldest first: those after id `after`, at most `rows`. */
export async function listDeliveries(
  s: Store,
  webhookId: string,
  window: { after?: number | undefined; rows?: number | undefined },
): Promise<WebhookDelivery[]> {
  const shape = { after: window.after !== undefined, limited: window.rows !== undefined };
  const result = await deliveriesOf(s, shape, webhookId, window.after ?? 0, window.rows ?? 0);
  return result.rows.map(toWebhookDelivery);
}

/** A delivery's place in its list, as a cursor holds it. */
export const deliveryKey = (d: WebhookDelivery) => [String(d.id), ""] as const;
