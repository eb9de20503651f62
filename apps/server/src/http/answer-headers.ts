import { ServerResponse } from "node:http";

/**
 * Headers every answer carries, unless it sets its own: `cache-control: no-store` (API answers are
 * made for one credential, a header or the cookie, so no cache may keep them; only static assets,
 * the stylesheet and the docs files, choose their own caching, and no API answer does), `nosniff`
 * (a JSON body echoing a caller's text is never read as HTML or script), and the request's id.
 */
const EVERY_ANSWER = [
  ["cache-control", "no-store"],
  ["x-content-type-options", "nosniff"],
] as const;
const REQUEST_ID = "x-request-id";

/**
 * The Node answer a request arrived with (@hono/node-server passes it as `env.outgoing`); none
 * when the app is called in process (`app.request`, an embedder's fetch).
 */
export function nodeAnswerOf(env: unknown): ServerResponse | undefined {
  const outgoing = (env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? outgoing : undefined;
}

/**
 * Puts the answer headers on the Node answer before the app writes it: Node merges them under the
 * headers the answer is written with, which win. Set there, a Response's headers are never
 * touched, and a Response made with plain headers is written without a `Headers` object at all
 * (undici's Headers cost a few µs a request to build, fill and read back).
 */
export function putAnswerHeaders(outgoing: ServerResponse, requestId: string): void {
  for (const [name, value] of EVERY_ANSWER) outgoing.setHeader(name, value);
  outgoing.setHeader(REQUEST_ID, requestId);
}

/** The same for an answer made in process: adds those `response` does not set itself. */
export function withAnswerHeaders(response: Response, requestId: string): Response {
  const own = response.headers;
  for (const [name, value] of EVERY_ANSWER) if (!own.has(name)) own.set(name, value);
  if (!own.has(REQUEST_ID)) own.set(REQUEST_ID, requestId);
  return response;
}
