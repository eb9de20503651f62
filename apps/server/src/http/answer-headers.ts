import type { MiddlewareHandler } from "hono";

/**
 * Headers every answer carries. API answers are made for one credential (a header or the cookie),
 * so no cache may keep them: `no-store` always on `/api` and `/trpc`, and by default elsewhere; only
 * static assets (stylesheet, docs files) choose their own caching. `nosniff` everywhere: a JSON
 * body echoing a caller's text is never read as HTML or script.
 */
export function answerHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    const path = c.req.path;
    const api = path.startsWith("/api/") || path === "/api" || path.startsWith("/trpc");
    if (api || !headers.has("cache-control")) headers.set("cache-control", "no-store");
    headers.set("x-content-type-options", "nosniff");
  };
}
