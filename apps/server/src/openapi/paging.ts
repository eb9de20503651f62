// Pagination is an extension of the reference: described in each list's text, and kept out of the
// parameters (as `name` is) so that they equal the reference's.
export const paging =
  "Optional `limit` (1 to 1000) returns one page, still as a JSON array, in the list's order; when more follow, a `Link: <...>; rel=\"next\"` header gives the next page's URL and `X-Next-Cursor` its `cursor`. Without `limit` the whole list is returned.";
