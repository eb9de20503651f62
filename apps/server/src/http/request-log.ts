import type { MiddlewareHandler } from "hono";

/**
 * `text` with every character outside printable ASCII (controls, spaces, DEL, anything non-ASCII)
 * percent-encoded as its UTF-8 bytes, so a logged field is one word: a client cannot end the line,
 * start a forged one, split a field with a space, or send terminal escapes to whoever reads the log.
 */
export function logSafe(text: string): string {
  return text.replace(/[^\x21-\x7E]/gu, (ch) =>
    [...Buffer.from(ch, "utf8")]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
      .join(""),
  );
}

/** The path as the client sent it, still percent-encoded (Hono's `c.req.path` is decoded). */
function rawPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

/**
 * One line a request: method, path, status, time. Only the path (no query string, no headers) is
 * written, so no credential can reach the log; it stays percent-encoded and is escaped again, so
 * nothing a client sends can forge a line (issue 12, item 4).
 */
export function requestLog(write: (line: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = (performance.now() - started).toFixed(1);
    write(`${logSafe(c.req.method)} ${logSafe(rawPath(c.req.url))} ${c.res.status} ${ms}ms`);
  };
}
