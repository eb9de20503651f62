import { MAX_PAGE_SIZE } from "@teams/core";

// Pagination is an extension of the reference (DESIGN §3): documented as parameters and headers so
// generated clients can page, each parameter marked `x-extension` so the reference's own stay
// recognisable.
export const paging = `Optional \`limit\` (1 to ${MAX_PAGE_SIZE}) returns one page, still as a JSON array, in the list's order; when more follow, a \`Link: <...>; rel="next"\` header gives the next page's URL and \`X-Next-Cursor\` its \`cursor\`. Without \`limit\` the whole list is returned.`;

/** An extension query parameter as an operation declares it. */
export interface ExtensionQuery {
  name: string;
  required: boolean;
  schema: Record<string, unknown>;
  description: string;
  extension: true;
}

/** The query parameters of a list that can answer a page. */
export const pagingQuery: ExtensionQuery[] = [
  {
    name: "limit",
    required: false,
    schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE },
    description: `Extension: return one page of at most this many items (1 to ${MAX_PAGE_SIZE}). Without it the whole list is returned.`,
    extension: true,
  },
  {
    name: "cursor",
    required: false,
    schema: { type: "string" },
    description:
      "Extension: where the page starts, as the previous page's `X-Next-Cursor` gave it. Only with `limit`.",
    extension: true,
  },
];

/** The answer headers of a page that has a next one (none on the last page). */
export const pagingHeaders = {
  Link: {
    description:
      'Extension: `<url>; rel="next"`, the next page (this request with its `cursor`); absent on the last page.',
    schema: { type: "string" },
  },
  "X-Next-Cursor": {
    description: "Extension: the next page's `cursor`; absent on the last page.",
    schema: { type: "string" },
  },
} as const;
