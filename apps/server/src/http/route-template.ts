import type { Hono } from "hono";

/** What a request that no route answers is labelled with: one value, so labels stay bounded. */
export const UNMATCHED_ROUTE = "unmatched";

interface MatchedRoute {
  path: string;
  handler: { length: number };
}

/**
 * The template of the route that answers `request` (`/api/v1/teams/:team_id/users`), or
 * undefined when none does (a 404, 405 or the 307 of a missing slash). Asks Hono's own router, as
 * its dispatch does: the first handler matched answers (a middleware, taking `next`, is skipped).
 * HEAD is answered by the GET route.
 */
export function routeTemplate(
  app: Pick<Hono, "router" | "getPath">,
  request: Request,
): string | undefined {
  const method = request.method === "HEAD" ? "GET" : request.method;
  const [matches] = app.router.match(method, app.getPath(request)) as unknown as [
    [[unknown, MatchedRoute], unknown][],
  ];
  for (const [[, route]] of matches) if (route.handler.length < 2) return route.path;
  return undefined;
}
