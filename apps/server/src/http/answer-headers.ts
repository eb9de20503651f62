import { urlParts } from "./url-parts.js";

/**
 * Headers every answer carries. API answers are made for one credential (a header or the cookie),
 * so no cache may keep them: `no-store` always on `/api` and `/trpc`, and by default elsewhere; only
 * static assets (stylesheet, docs files) choose their own caching. `nosniff` everywhere: a JSON
 * body echoing a caller's text is never read as HTML or script.
 */
export function withAnswerHeaders(request: Request, response: Response): Response {
  const headers = response.headers;
  const { path } = urlParts(request.url);
  const api = path.startsWith("/api/") || path === "/api" || path.startsWith("/trpc");
  if (api || !headers.has("cache-control")) headers.set("cache-control", "no-store");
  headers.set("x-content-type-options", "nosniff");
  return response;
}
