/**
 * The path and the query (without `?`) of an absolute URL, read as text: the origin is not
 * needed, nor a URL object on every request.
 */
export function urlParts(url: string): { path: string; query: string } {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return { path: "/", query: "" };
  const end = url.indexOf("?", start);
  return end === -1
    ? { path: url.slice(start), query: "" }
    : { path: url.slice(start, end), query: url.slice(end + 1) };
}
