import type { Page } from "@teams/core";

/**
 * The headers that point to the next page of a list: `Link: <...>; rel="next"` (RFC 8288) with the
 * request's own path and query, `cursor` replaced, and the bare cursor in `X-Next-Cursor`. None on
 * the last page. The body stays the reference's JSON array.
 */
export function nextPageHeaders(
  requestUrl: string,
  page: Pick<Page<unknown>, "next_cursor">,
): Record<string, string> {
  if (page.next_cursor === null) return {};
  // The path and query of the URL, read as text: the origin is not needed, nor a URL object.
  const pathStart = requestUrl.indexOf("/", requestUrl.indexOf("//") + 2);
  const queryStart = requestUrl.indexOf("?", pathStart);
  const path =
    queryStart === -1 ? requestUrl.slice(pathStart) : requestUrl.slice(pathStart, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? "" : requestUrl.slice(queryStart + 1));
  query.set("cursor", page.next_cursor);
  return {
    link: `<${path}?${query}>; rel="next"`,
    "x-next-cursor": page.next_cursor,
  };
}

/** Whether the request asked for a page (`limit` or `cursor`) rather than the whole list. */
export function wantsPage(query: (name: string) => string | undefined): boolean {
  return query("limit") !== undefined || query("cursor") !== undefined;
}
