/** Every scope a token may carry, in the reference's order. */
export const SCOPES = [
  "data:read",
  "data:write",
  "profile",
  "openid",
  "offline_access",
  "admin",
] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes a user may grant a team; the others belong to tokens only. */
export const GRANTABLE_SCOPES = ["data:read", "data:write", "profile"] as const;
export type GrantableScope = (typeof GRANTABLE_SCOPES)[number];

const scopeSet: ReadonlySet<string> = new Set(SCOPES);
const grantableSet: ReadonlySet<string> = new Set(GRANTABLE_SCOPES);

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && scopeSet.has(value);
}

export function isGrantable(value: unknown): value is GrantableScope {
  return typeof value === "string" && grantableSet.has(value);
}

/** Duplicates merged, in the canonical order, so equal sets always compare and store equal. */
export function canonicalScopes<S extends Scope>(scopes: Iterable<S>): S[] {
  const wanted = new Set<string>(scopes);
  return SCOPES.filter((s) => wanted.has(s)) as S[];
}

/** Stored form of a scope set: canonical order, space-separated (as in an OAuth `scope` claim). */
export function encodeScopes(scopes: Iterable<Scope>): string {
  return canonicalScopes(scopes).join(" ");
}

// A store holds a handful of distinct scope sets (subsets of three scopes, in canonical order), and
// lists decode one a row: each text is decoded once. Bounded, for a store written by others.
const decoded = new Map<string, readonly GrantableScope[]>();

/** Reads a stored scope set back; unknown words are dropped rather than trusted. */
export function decodeScopes(stored: string): GrantableScope[] {
  let scopes = decoded.get(stored);
  if (!scopes) {
    scopes = stored.split(" ").filter(isGrantable);
    if (decoded.size < 64) decoded.set(stored, scopes);
  }
  // A copy: the caller owns what it gets.
  return scopes.slice();
}

/**
 * The stored texts of every scope set `stored` covers (its subsets, the empty one too): a refresh
 * token whose scopes are none of them asks for more than `stored` grants. A granted set has at
 * most three scopes, so at most eight texts.
 */
export function coveredScopeTexts(stored: string): string[] {
  const held = canonicalScopes(stored.split(" ").filter(isScope));
  const texts: string[] = [];
  for (let mask = 0; mask < 1 << held.length; mask++) {
    texts.push(held.filter((_, i) => mask & (1 << i)).join(" "));
  }
  return texts;
}
