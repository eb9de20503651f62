// DESIGN §1: a user's display name is its names joined by a space, falling back to its id; never
// empty. The stores compute it as a generated column (migration 1) so lists can be ordered by an
// index; this is the same rule in TypeScript, and a conformance test holds the stores to it.

/** Spaces (U+0020) at either end, as SQL's `trim` removes them (and nothing else). */
const EDGE_SPACES = /^ +| +$/g;

/** The name a user is shown and listed by: `first last`, or the one there is, or else the id. */
export function displayName(user: {
  id: string;
  first_name: string | null;
  last_name: string | null;
}): string {
  const joined = `${user.first_name ?? ""} ${user.last_name ?? ""}`.replace(EDGE_SPACES, "");
  return joined === "" ? user.id : joined;
}
