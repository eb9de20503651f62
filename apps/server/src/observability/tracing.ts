import type { Attributes, TextMapGetter } from "@opentelemetry/api";
import type { LogEvent } from "kysely";
import { factsOf } from "../http/request-facts.js";

// Everything of OpenTelemetry is imported when tracing starts (OTEL_EXPORTER_OTLP_ENDPOINT set):
// a server without it loads none of it. The imports above are types only.

/** Traces of the service: a server span per request, a client span per store query under it. */
export interface Tracing {
  /**
   * Runs `answer` in a server span named by the route (`GET /api/v1/teams/:team_id/users`; the
   * method alone when no route matched), continuing the caller's `traceparent`, with the request
   * id as `http.request.id`.
   */
  serverSpan(
    request: Request,
    route: string | undefined,
    answer: () => Response | Promise<Response>,
  ): Promise<Response>;
  /** For the store's query log (`openStore`'s `log`): a child span of the request's for each query. */
  storeQuery(event: LogEvent): void;
  /** Exports the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The collector's OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `/v1/traces` under it. */
  endpoint: string;
  /** `service.name` of the spans (OTEL_SERVICE_NAME). */
  serviceName: string;
  /** Which store the queries go to: `db.system.name` of the store spans. */
  storeFamily: "sqlite" | "postgres";
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** The first word of a statement (`SELECT`, `INSERT`, `BEGIN`, ...), the store span's name. */
function operationOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1];
  return word ? word.toUpperCase() : "QUERY";
}

/** Starts OpenTelemetry's Node SDK with the OTLP/HTTP trace exporter (traces only). */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, { NodeSDK }, { OTLPTraceExporter }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = api;
  const base = options.endpoint.endsWith("/") ? options.endpoint : `${options.endpoint}/`;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter({ url: new URL("v1/traces", base).toString() }),
    // Traces only: no metrics (Prometheus serves those) nor logs pushed to the collector.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer("@teams/server");
  const dbSystem = options.storeFamily === "postgres" ? "postgresql" : "sqlite";

  return {
    serverSpan(request, route, answer) {
      const url = new URL(request.url);
      const attributes: Attributes = {
        "http.request.method": request.method,
        "url.path": url.pathname,
        "url.scheme": url.protocol.replace(":", ""),
        "http.request.id": factsOf(request)?.id ?? "",
        ...(route !== undefined && { "http.route": route }),
      };
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const name = route === undefined ? request.method : `${request.method} ${route}`;
      return tracer.startActiveSpan(
        name,
        { kind: SpanKind.SERVER, attributes },
        parent,
        async (span) => {
          try {
            const response = await answer();
            span.setAttribute("http.response.status_code", response.status);
            if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            return response;
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
    storeQuery(event) {
      // Called after the query, in its caller's context: only queries of a traced request.
      const parent = context.active();
      if (trace.getSpan(parent) === undefined) return;
      const end = performance.timeOrigin + performance.now();
      const sql = event.query.sql;
      const operation = operationOf(sql);
      const span = tracer.startSpan(
        operation,
        {
          kind: SpanKind.CLIENT,
          startTime: end - event.queryDurationMillis,
          attributes: {
            "db.system.name": dbSystem,
            "db.operation.name": operation,
            // The statement with its placeholders: the values never reach a trace.
            "db.query.text": sql,
          },
        },
        parent,
      );
      if (event.level === "error") {
        const code = (event.error as { code?: unknown } | null)?.code;
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute(
          "error.type",
          typeof code === "string" ? code : ((event.error as Error)?.name ?? "Error"),
        );
      }
      span.end(end);
    },
    shutdown: () => sdk.shutdown(),
  };
}
