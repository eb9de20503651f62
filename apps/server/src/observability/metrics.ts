import { TOKEN_VERIFICATION_RESULTS, type TokenVerificationResult } from "@teams/auth";
import { type TeamsObserver, Unavailable } from "@teams/core";
import type { PoolUse } from "@teams/postgres";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { UNMATCHED_ROUTE } from "../http/route-template.js";
import type { DeliveryOutcome } from "../webhooks/webhook-sender.js";
import { DeferredCounter, DeferredHistogram } from "./deferred-observations.js";

/** Buckets of `http.server.request.duration` that OpenTelemetry's HTTP semantic conventions advise. */
const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The methods OpenTelemetry's HTTP conventions name; any other is `_OTHER` (a bounded label). */
const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/** Label sets of the request histogram kept for reuse; past it each builds its own. */
const LABEL_SETS = 4096;

/**
 * The request histogram's label set for a method, route and status, one object per distinct set
 * (reused: the deferred histogram holds them until applied). Every value is bounded: unknown
 * methods are `_OTHER`, routes are templates.
 */
function labelSets() {
  const known = new Map<string, { method: string; route: string; status_code: number }>();
  return (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let labels = known.get(key);
    if (labels === undefined) {
      labels = {
        method: KNOWN_METHODS.has(method) ? method : "_OTHER",
        route,
        status_code: status,
      };
      if (known.size < LABEL_SETS) known.set(key, labels);
    }
    return labels;
  };
}

/** How one webhook delivery attempt ended (the worker's outcomes). */
export type WebhookOutcome = DeliveryOutcome;

/** SQLSTATEs of a transaction that lost a race: the core runs it again (see `storeRetried`). */
const CONFLICT_CODES = new Set(["40001", "40P01"]);

/**
 * The service's Prometheus metrics, in a registry of their own (served on the metrics listener,
 * never on the API's port). Every label value is one of a fixed set: routes are templates,
 * results and causes are enums, never messages or paths.
 */
export interface Metrics {
  readonly registry: Registry;
  /** For `createTeams({ observer })`: consent changes, write retries and write failures. */
  readonly observer: TeamsObserver;
  /** For `createAuthenticator({ onVerification })`: token verifications by result. */
  tokenVerified(result: TokenVerificationResult): void;
  /** For the store's `onQueryError` (`openStore`): failed queries by reason. */
  queryFailed(error: unknown): void;
  /** One HTTP request answered: `route` its template, undefined when no route matched. */
  requestAnswered(method: string, route: string | undefined, status: number, seconds: number): void;
  /** PostgreSQL only: adds the pool gauges, which read `read` at each scrape (call once). */
  watchPool(read: () => PoolUse): void;
  /** For the webhook worker: one delivery attempt ended so (`teams_webhook_deliveries_total`). */
  webhookDelivered(outcome: WebhookOutcome): void;
  /**
   * For the webhook worker: how the outbox's age is read at each scrape, in seconds (the oldest
   * record not yet delivered to every subscriber; 0 when the outbox is empty). Until it is called
   * the gauge reads 0. The reader may be async; it must not throw.
   */
  watchOutbox(read: () => number | Promise<number>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  // Observed on every request: held and applied in batches (deferred-observations.ts).
  const requestDuration = new DeferredHistogram({
    name: "http_server_request_duration_seconds",
    help: "Duration of HTTP server requests (OpenTelemetry http.server.request.duration).",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  });
  const requestLabels = labelSets();
  const tokenVerifications = new DeferredCounter(
    {
      name: "teams_token_verifications_total",
      help: "Credentials checked, by result: ok, or why the token was refused.",
      labelNames: ["result"] as const,
      registers,
    },
    "result",
    TOKEN_VERIFICATION_RESULTS,
  );
  const consentChanges = new Counter({
    name: "teams_consent_changes_total",
    help: "Consent log records committed, by type (authorization.granted, ...) and cause.",
    labelNames: ["type", "cause"] as const,
    registers,
  });
  const storeErrors = new Counter({
    name: "teams_store_errors_total",
    help: "Store queries that failed, by reason: unavailable (outage, timeout, busy), conflict (lost a race; retried), failed (any other).",
    labelNames: ["reason"] as const,
    registers,
  });
  const storeRetries = new Counter({
    name: "teams_store_retries_total",
    help: "Write transactions run again after losing a race (serialization failure, deadlock).",
    registers,
  });
  const writeFailures = new Counter({
    name: "teams_store_write_failures_total",
    help: "Write transactions that failed for the store's sake, by reason: contention (lost every attempt), unavailable, unexpected.",
    labelNames: ["reason"] as const,
    registers,
  });
  for (const reason of ["unavailable", "conflict", "failed"]) storeErrors.inc({ reason }, 0);
  for (const reason of ["contention", "unavailable", "unexpected"]) {
    writeFailures.inc({ reason }, 0);
  }

  const webhookDeliveries = new Counter({
    name: "teams_webhook_deliveries_total",
    help: "Webhook delivery attempts, by outcome: delivered, http_error, network_error, refused (the last three tried again).",
    labelNames: ["outcome"] as const,
    registers,
  });
  let outbox: () => number | Promise<number> = () => 0;
  new Gauge({
    name: "teams_webhook_outbox_age_seconds",
    help: "Age of the oldest webhook outbox record not yet delivered, in seconds (0: empty).",
    registers,
    async collect() {
      this.set(await outbox());
    },
  });

  return {
    registry,
    observer: {
      consentChanged: (type, cause, count) => consentChanges.inc({ type, cause }, count),
      storeRetried: () => storeRetries.inc(),
      storeFailed: (reason) => writeFailures.inc({ reason }),
    },
    tokenVerified: (result) => tokenVerifications.inc(result),
    queryFailed(error) {
      const code = (error as { code?: unknown } | null)?.code;
      const reason =
        error instanceof Unavailable
          ? "unavailable"
          : typeof code === "string" && CONFLICT_CODES.has(code)
            ? "conflict"
            : "failed";
      storeErrors.inc({ reason });
    },
    requestAnswered(method, route, status, seconds) {
      requestDuration.observe(requestLabels(method, route ?? UNMATCHED_ROUTE, status), seconds);
    },
    watchPool: (read) => poolGauges(registers, read),
    webhookDelivered: (outcome) => webhookDeliveries.inc({ outcome }),
    watchOutbox(read) {
      outbox = read;
    },
  };
}

/** The gauges of a PostgreSQL pool (OpenTelemetry's db.client.connection.*), read at each scrape. */
function poolGauges(registers: Registry[], pool: () => PoolUse): void {
  new Gauge({
    name: "db_client_connection_count",
    help: "PostgreSQL pool connections, by state: idle or used (OpenTelemetry db.client.connection.count).",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const use = pool();
      this.set({ state: "idle" }, use.idle);
      this.set({ state: "used" }, use.total - use.idle);
    },
  });
  new Gauge({
    name: "db_client_connection_pending_requests",
    help: "Requests waiting for a PostgreSQL pool connection.",
    registers,
    collect() {
      this.set(pool().waiting);
    },
  });
  new Gauge({
    name: "db_client_connection_max",
    help: "The most connections the PostgreSQL pool opens.",
    registers,
    collect() {
      this.set(pool().max);
    },
  });
}
