import type { Html } from "./html.js";

/**
 * The headers of every page. The policy allows no script at all (the pages need none), styles from
 * this server only, team images from their own http(s) addresses, and forms posting here only —
 * plus the origins a form's redirect may go back to, since browsers hold redirects after a form
 * submission to `form-action` too. No framing anywhere: the confirm button cannot be clickjacked.
 */
export function pageHeaders(returnOrigins: readonly string[]): Record<string, string> {
  const formAction = ["'self'", ...returnOrigins].join(" ");
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self' https: http:",
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // "same-origin", not "no-referrer": with no-referrer, browsers send `Origin: null` even on a
    // same-origin form post, and the origin check would refuse the person's own confirm.
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    // Pages show who shared what with whom: never kept by shared caches or the back button's store.
    "cache-control": "no-store",
  };
}

export type PageHeaders = Record<string, string>;

/** A page with its status and the page headers (plus any extra, e.g. a cookie). */
export function pageResponse(
  status: number,
  page: Html,
  headers: PageHeaders,
  extra: Record<string, string> = {},
): Response {
  return new Response(page.value, { status, headers: { ...headers, ...extra } });
}

/** After a form post: 303, so the browser follows with a GET and a reload does not post again. */
export function seeOther(location: string, extra: Record<string, string> = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, "cache-control": "no-store", ...extra },
  });
}
