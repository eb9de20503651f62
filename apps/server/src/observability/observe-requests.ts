import { UNMATCHED_ROUTE } from "../http/route-template.js";
import type { Metrics } from "./metrics.js";
import type { Tracing } from "./tracing.js";

/** What watches each request: its duration in the metrics, its span in the traces. */
export interface RequestObservers {
  metrics?: Metrics | undefined;
  tracing?: Tracing | undefined;
}

/**
 * Runs the answer to `request` timed (`http_server_request_duration_seconds`, from `started`) and
 * traced, labelled by `route`, the template of the route that answers it (app.ts finds it once for
 * the log line and these). Wraps the app's fetch rather than adding a middleware: any middleware
 * makes Hono compose the handlers of every request (see app.ts).
 */
export function observeRequests(observers: RequestObservers) {
  const { metrics, tracing } = observers;
  return async (
    request: Request,
    route: string,
    started: number,
    run: () => Response | Promise<Response>,
  ): Promise<Response> => {
    let status = 500;
    try {
      const matched = route === UNMATCHED_ROUTE ? undefined : route;
      const response = tracing ? await tracing.serverSpan(request, matched, run) : await run();
      status = response.status;
      return response;
    } finally {
      metrics?.requestAnswered(request.method, route, status, (performance.now() - started) / 1000);
    }
  };
}
