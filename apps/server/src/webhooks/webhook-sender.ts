import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isDelivered } from "@teams/core/webhook-delivery";
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

// Connections to receivers are kept alive between deliveries: one subscriber's events go one after
// the other, and a new connection (a TLS handshake) per event would bound how many a second get
// through. node:http rather than fetch: several times less work per request, and it never follows
// a redirect.
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
};

class Timeout extends Error {
  override readonly name = "TimeoutError";
}

/** POSTs `body`; the answer's status once its body has been read (or dropped). */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  stop: AbortSignal | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === "https:";
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: "POST",
      agent: https ? agents["https:"] : agents["http:"],
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      ...(stop ? { signal: stop } : {}),
    });
    // The whole exchange, the answer's body included, within the timeout.
    const timer = setTimeout(() => req.destroy(new Timeout("timeout")), timeoutMs);
    req.on("response", (res) => {
      res.on("end", () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.resume();
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

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
    const status = await post(
      new URL(url),
      {
        "content-type": "application/json",
        "user-agent": "teams-webhooks",
        "webhook-id": event.eventId,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": signer.sign(event.eventId, at, event.payload),
      },
      event.payload,
      timeoutMs,
      stop,
    );
    return {
      outcome: isDelivered(status) ? "delivered" : "http_error",
      status,
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

/** A failed attempt in a few words: the timeout, or the system's error code. */
function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === "TimeoutError") return "timeout";
  return (e.code ?? e.message ?? String(error)).slice(0, 200);
}
