import type { Authentication } from "./principal-from-claims.js";

interface Entry {
  authentication: Authentication;
  /** Epoch seconds from which the entry may be served. */
  from: number;
  /** Epoch seconds from which it may no longer be served (the token's `exp`). */
  until: number;
}

/** Verified tokens by their exact string, so a repeated token skips the signature check. */
export interface TokenCache {
  /** The cached authentication, if the token is cached and its time window includes `now`. */
  get(token: string, now: number): Authentication | undefined;
  /** Remembers a verified token, unless its window does not include `now` (nothing to gain). */
  set(token: string, entry: Entry, now: number): void;
}

/**
 * A bounded cache; at `maxEntries` the oldest entry is evicted (a Map keeps insertion order, so this
 * costs no bookkeeping per hit). Entries outside their window are dropped when met.
 */
export function createTokenCache(maxEntries: number): TokenCache | undefined {
  if (maxEntries <= 0) return undefined;
  const entries = new Map<string, Entry>();
  return {
    get(token, now) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (now >= entry.from && now < entry.until) return entry.authentication;
      entries.delete(token);
      return undefined;
    },
    set(token, entry, now) {
      if (!(now >= entry.from && now < entry.until)) return;
      entries.delete(token);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(token, entry);
    },
  };
}
