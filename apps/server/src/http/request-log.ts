import type { MiddlewareHandler } from "hono";

/**
 * One line a request: method, path, status, time. Only the path (no query string, no headers) is
 * written, so no credential can reach the log.
 */
export function requestLog(write: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = (performance.now() - started).toFixed(1);
    write(`${c.req.method} ${c.req.path} ${c.res.status} ${ms}ms`);
  };
}
