import type { Logger } from "kysely";
import type { Config } from "../config.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { listenForMetrics, type MetricsListener } from "./metrics-listener.js";
import type { Tracing } from "./tracing.js";

/** The metrics and traces the configuration asks for, and what the server hands each part. */
export interface Observability {
  metrics?: Metrics;
  tracing?: Tracing;
  /** For `openStore`: every query reported to the traces; undefined without them (Kysely then adds nothing around queries). */
  storeLog?: Logger;
  /** For `openStore`: each failed query counted in the metrics; undefined without them. */
  onQueryError?: (error: unknown) => void;
  /** Serves the metrics on their own listener (when configured); its URL, if any. */
  listen(onError: (error: unknown) => void): Promise<string | undefined>;
  /** Stops the metrics listener and exports the spans still buffered. */
  close(): Promise<void>;
}

/**
 * Metrics when TEAMS_METRICS_PORT is set, traces when OTEL_EXPORTER_OTLP_ENDPOINT is: the
 * tracing module (and OpenTelemetry) is imported only then.
 */
export async function startObservability(config: Config): Promise<Observability> {
  const metrics = config.metrics ? createMetrics() : undefined;
  const tracing = config.otlpEndpoint
    ? await (await import("./tracing.js")).startTracing({
        endpoint: config.otlpEndpoint,
        serviceName: config.otelServiceName,
        storeFamily: config.database.kind,
      })
    : undefined;
  // Kysely's log wraps every query (an async step and two clock reads each): only traces need it.
  const storeLog: Logger | undefined = tracing ? (event) => tracing.storeQuery(event) : undefined;
  let listener: MetricsListener | undefined;
  return {
    ...(metrics && { metrics }),
    ...(tracing && { tracing }),
    ...(storeLog && { storeLog }),
    ...(metrics && { onQueryError: metrics.queryFailed }),
    async listen(onError) {
      if (!metrics || !config.metrics) return undefined;
      listener = await listenForMetrics(
        metrics.registry,
        config.metrics.host,
        config.metrics.port,
        onError,
      );
      return listener.url;
    },
    async close() {
      await listener?.close();
      await tracing?.shutdown();
    },
  };
}
