import { UNMATCHED_ROUTE } from "../http/route-template.js";
import type { Metrics } from "./metrics.js";
import type { Tracing } from "./tracing.js";

/** What watches each request: its duration in the metrics, its span in the traces. */
export interface RequestObservers {
  metrics?: Metrics | undefined;
  tracing?: Tracing | undefined;
}

/**
 * How the app's fetch observes each request, labelled by `route`, the template of the route that
 * answers it (app.ts finds it once for the log line and these): `run` answers it inside its server
 * span (when tracing), `answered` times it (`http_server_request_duration_seconds`, from
 * `started`). Called from the wrapper around the app's fetch rather than as a middleware (any
 * middleware makes Hono compose the handlers of every request, see app.ts), and with no async
 * step of their own when there are no traces.
 */
export function observeRequests(observers: RequestObservers) {
  const { metrics, tracing } = observers;
  return {
    run: tracing
      ? (request: Request, route: string, run: () => Response | Promise<Response>) =>
          tracing.serverSpan(request, route === UNMATCHED_ROUTE ? undefined : route, run)
      : undefined,
    answered: metrics
      ? (method: string, route: string, status: number, started: number) =>
          metrics.requestAnswered(method, route, status, (performance.now() - started) / 1000)
      : undefined,
  };
}
