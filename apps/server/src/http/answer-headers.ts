/**
 * Headers every answer carries. API answers are made for one credential (a header or the cookie),
 * so no cache may keep them: `no-store` always on `/api` and `/trpc`, and by default elsewhere; only
 * static assets (stylesheet, docs files) choose their own caching. `nosniff` everywhere: a JSON
 * body echoing a caller's text is never read as HTML or script.
 */
export function withAnswerHeaders(request: Request, response: Response): Response {
  const headers = response.headers;
  const path = pathOf(request.url);
  const api = path.startsWith("/api/") || path === "/api" || path.startsWith("/trpc");
  if (api || !headers.has("cache-control")) headers.set("cache-control", "no-store");
  headers.set("x-content-type-options", "nosniff");
  return response;
}

/** The path of an absolute URL, read as text (no URL object on every request). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.indexOf("?", start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}
