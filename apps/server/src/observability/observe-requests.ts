import type { Hono } from "hono";
import { routeTemplate } from "../http/route-template.js";
import type { Metrics } from "./metrics.js";
import type { Tracing } from "./tracing.js";

/** What watches each request: its duration in the metrics, its span in the traces. */
export interface RequestObservers {
  metrics?: Metrics;
  tracing?: Tracing;
}

/** A fetch of the app's shape (`app.fetch`): the request, and Hono's env and execution context. */
type Fetch<E, X> = (request: Request, env?: E, executionCtx?: X) => Response | Promise<Response>;

/**
 * `answer` with each request timed (`http_server_request_duration_seconds`) and traced, labelled
 * by the template of the route that answers it. Wraps the app's fetch rather than adding a
 * middleware: any middleware makes Hono compose the handlers of every request (see app.ts).
 */
export function observeRequests<E, X>(
  app: Pick<Hono, "router" | "getPath">,
  answer: Fetch<E, X>,
  observers: RequestObservers,
): Fetch<E, X> {
  const { metrics, tracing } = observers;
  return async (request, env, executionCtx) => {
    const started = performance.now();
    const route = routeTemplate(app, request);
    const run = async () => answer(request, env, executionCtx);
    let status = 500;
    try {
      const response = tracing ? await tracing.serverSpan(request, route, run) : await run();
      status = response.status;
      return response;
    } finally {
      metrics?.requestAnswered(request.method, route, status, (performance.now() - started) / 1000);
    }
  };
}
