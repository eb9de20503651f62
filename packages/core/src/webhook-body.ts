import type { ConsentRecord } from "./schemas.js";

/**
 * The body of a webhook (DESIGN §7, Standard Webhooks' shape): the record as `data`, its instant
 * as `timestamp`. Written to the outbox as this text, and sent byte for byte as written.
 */
export function webhookPayload(record: ConsentRecord): string {
  return JSON.stringify({ type: record.type, timestamp: record.occurred_at, data: record });
}
