import { isDelivered } from "@teams/core";
import type { Webhook } from "standardwebhooks";

/** How an attempt ended, as the metrics count it (`teams_webhook_deliveries_total{outcome}`). */
export type DeliveryOutcome =
  /** The receiver answered 2xx. */
  | "delivered"
  /** It answered something else (a redirect included: never followed). */
  | "http_error"
  /** No answer: refused connection, reset, DNS failure, timeout. */
  | "network_error"
  /** Its address is loopback, private or link-local, which the configuration refuses. */
  | "refused";

export interface AttemptResult {
  outcome: DeliveryOutcome;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Bodies of receivers' answers read to let the connection be reused; a longer one is dropped. */
const maxAnswerBytes = 64 * 1024;

/**
 * Sends one event to a receiver, signed as Standard Webhooks says (`webhook-id` the record's id,
 * `webhook-timestamp` now, `webhook-signature` `v1,<base64 HMAC-SHA256 of id.timestamp.body>`),
 * with a timeout and without following redirects.
 */
export async function sendEvent(
  url: string,
  signer: Webhook,
  event: { eventId: string; payload: string },
  timeoutMs: number,
  /** Aborts the attempt (the worker closing). */
  stop?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const at = new Date();
  try {
    const response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      signal: stop
        ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop])
        : AbortSignal.timeout(timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": "teams-webhooks",
        "webhook-id": event.eventId,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": signer.sign(event.eventId, at, event.payload),
      },
      body: event.payload,
    });
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    if (length <= maxAnswerBytes) await response.arrayBuffer();
    else await response.body?.cancel();
    const ok = isDelivered(response.status);
    return {
      outcome: ok ? "delivered" : "http_error",
      status: response.status,
      error: null,
      durationMs: elapsed(),
    };
  } catch (error) {
    return {
      outcome: "network_error",
      status: null,
      error: describe(error),
      durationMs: elapsed(),
    };
  }
}

/** A failed fetch in a few words: the timeout, or the system's error code. */
function describe(error: unknown): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === "TimeoutError") return "timeout";
  return (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)).slice(0, 200);
}
