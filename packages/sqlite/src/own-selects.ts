import type { CompiledQuery } from "kysely";

// The core marks its own selects by handing them to `sqliteStoreKind.readOwnRows`, never by what
// their SQL says. The mark travels on the compiled query itself, through Kysely's own
// `executeQuery` (its log, its plugins, the transaction's connection) to the Teams lease, which
// reads it; any other connection runs the query as it is.

// A property keyed by a symbol of this module, which no one else can write. (A WeakSet of the marked
// copies cost more than the fast reading saves: every query would leave a weak entry to collect.)
const OWN = Symbol("teams own select");

/** A copy of `query` marked as one of the service's own selects (the original stays unmarked). */
export function markOwnSelect<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return { ...query, [OWN]: true } as CompiledQuery<R>;
}

/** Whether `query` came from `markOwnSelect`. */
export function isOwnSelect(query: CompiledQuery): boolean {
  return (query as { [OWN]?: true })[OWN] === true;
}
