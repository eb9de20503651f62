/** What this needs of a Hono app: its router and how it reads a request's path. */
export interface RoutedApp {
  router: { match(method: string, path: string): unknown };
  getPath(request: Request): string;
}

/** A router match's entry: what was added (the handler and its route), then the parameters. */
type Match = [[(...args: never[]) => unknown, { path: string }], unknown];

/** The `route` of a request that no route matched (404, 405, the trailing-slash 307). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * The pattern of the route that serves a request (`/api/v1/teams/:team_id/users`), as the app's
 * own router matches it (the first route after any middleware), so a log line or a metric label names routes, never paths: a bounded set
 * of values that holds no identifier. Middleware (handlers taking `next`) is not a route.
 */
export function routeTemplate(app: RoutedApp, request: Request): string {
  const method = request.method === "HEAD" ? "GET" : request.method;
  const [matches] = app.router.match(method, app.getPath(request)) as [Match[]];
  // Hono runs the matches in order of registration and the first handler that answers serves the
  // request (none of ours calls `next`): `/teams/authorized` also matches `/teams/:team_id`.
  for (const [[handler, route]] of matches) {
    if (handler.length < 2) return route.path;
  }
  return UNMATCHED_ROUTE;
}
