import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DeferredCounter, DeferredHistogram } from "./deferred-observations.js";

const histogramOf = (registry: Registry) => ({
  name: "request_seconds",
  help: "Requests.",
  labelNames: ["route", "status_code"] as const,
  buckets: [0.01, 0.1, 1],
  registers: [registry],
});

describe("deferred observations", () => {
  it.each([0, 1, 255, 256, 257, 1000])(
    "a scrape after %i observations reads what prom-client's own calls give",
    async (count) => {
      const direct = new Registry();
      const deferredRegistry = new Registry();
      const histogram = new Histogram(histogramOf(direct));
      const deferred = new DeferredHistogram(histogramOf(deferredRegistry));
      const sets = [
        { route: "/a", status_code: 200 },
        { route: "/a", status_code: 404 },
        { route: "/b/:id", status_code: 200 },
      ];
      for (let i = 0; i < count; i++) {
        const labels = sets[i % sets.length] as (typeof sets)[number];
        const seconds = ((i * 7919) % 2000) / 1000;
        histogram.observe(labels, seconds);
        deferred.observe(labels, seconds);
      }
      expect(await deferredRegistry.metrics()).toBe(await direct.metrics());
      // Read twice: nothing counted again.
      expect(await deferredRegistry.metrics()).toBe(await direct.metrics());
    },
  );

  it("counts by value, shows the known values at 0, and adds each count once", async () => {
    const registry = new Registry();
    const counter = new DeferredCounter(
      { name: "checks_total", help: "Checks.", labelNames: ["result"], registers: [registry] },
      "result",
      ["ok", "token_expired", "bad_signature"],
    );
    const direct = new Registry();
    const plain = new Counter({
      name: "checks_total",
      help: "Checks.",
      labelNames: ["result"],
      registers: [direct],
    });
    for (const result of ["ok", "token_expired", "bad_signature"]) plain.inc({ result }, 0);
    const results = ["ok", "ok", "token_expired", "ok"] as const;
    for (const result of results) {
      counter.inc(result);
      plain.inc({ result });
    }
    expect(await registry.metrics()).toBe(await direct.metrics());
    expect(await registry.metrics()).toContain('checks_total{result="ok"} 3');
    counter.inc("bad_signature");
    expect(await registry.metrics()).toContain('checks_total{result="bad_signature"} 1');
    expect(await registry.metrics()).toContain('checks_total{result="ok"} 3');
  });
});
