import { Unavailable } from "@teams/core";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.js";

/** The value of one sample of the registry's text, by `name{labels}` as Prometheus writes it. */
async function sample(metrics: ReturnType<typeof createMetrics>, key: string) {
  const line = (await metrics.registry.metrics()).split("\n").find((l) => l.startsWith(`${key} `));
  return line === undefined ? undefined : Number(line.slice(key.length + 1));
}

describe("the metrics module", () => {
  it("counts failed store queries by reason", async () => {
    const metrics = createMetrics();
    const failed = (error: unknown) => metrics.queryFailed(error);
    failed(new Unavailable("The database cannot be reached", 5));
    failed(new Unavailable("The database is busy; try again", 1));
    failed(Object.assign(new Error("could not serialize access"), { code: "40001" }));
    failed(Object.assign(new Error("deadlock detected"), { code: "40P01" }));
    failed(Object.assign(new Error("syntax error"), { code: "42601" }));
    expect(await sample(metrics, 'teams_store_errors_total{reason="unavailable"}')).toBe(2);
    expect(await sample(metrics, 'teams_store_errors_total{reason="conflict"}')).toBe(2);
    expect(await sample(metrics, 'teams_store_errors_total{reason="failed"}')).toBe(1);
  });

  it("counts the observer's retries and write failures", async () => {
    const metrics = createMetrics();
    metrics.observer.storeRetried?.(1);
    metrics.observer.storeRetried?.(2);
    metrics.observer.storeFailed?.("contention");
    expect(await sample(metrics, "teams_store_retries_total")).toBe(2);
    expect(await sample(metrics, 'teams_store_write_failures_total{reason="contention"}')).toBe(1);
    expect(await sample(metrics, 'teams_store_write_failures_total{reason="unexpected"}')).toBe(0);
  });

  it("bounds the method and route labels", async () => {
    const metrics = createMetrics();
    metrics.requestAnswered("BREW", undefined, 405, 0.001);
    metrics.requestAnswered("GET", "/api/v1/teams/", 200, 0.002);
    expect(
      await sample(
        metrics,
        'http_server_request_duration_seconds_count{method="_OTHER",route="unmatched",status_code="405"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        metrics,
        'http_server_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/teams/",status_code="200"}',
      ),
    ).toBe(1);
  });

  it("gives the webhook worker its counter and the outbox's age, read at each scrape", async () => {
    const metrics = createMetrics();
    expect(await sample(metrics, "teams_webhook_outbox_age_seconds")).toBe(0);
    let age = 12;
    metrics.watchOutbox(async () => age);
    expect(await sample(metrics, "teams_webhook_outbox_age_seconds")).toBe(12);
    age = 3;
    expect(await sample(metrics, "teams_webhook_outbox_age_seconds")).toBe(3);
    metrics.webhookDelivered("delivered");
    metrics.webhookDelivered("http_error");
    metrics.webhookDelivered("delivered");
    expect(await sample(metrics, 'teams_webhook_deliveries_total{outcome="delivered"}')).toBe(2);
    expect(await sample(metrics, 'teams_webhook_deliveries_total{outcome="http_error"}')).toBe(1);
  });

  it("reads the pool's gauges at each scrape", async () => {
    const metrics = createMetrics();
    expect(await sample(metrics, "db_client_connection_max")).toBeUndefined();
    metrics.watchPool(() => ({ total: 7, idle: 2, waiting: 3, max: 10 }));
    expect(await sample(metrics, 'db_client_connection_count{state="used"}')).toBe(5);
    expect(await sample(metrics, 'db_client_connection_count{state="idle"}')).toBe(2);
    expect(await sample(metrics, "db_client_connection_pending_requests")).toBe(3);
    expect(await sample(metrics, "db_client_connection_max")).toBe(10);
  });
});
