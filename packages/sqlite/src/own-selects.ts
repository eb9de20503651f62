import type { CompiledQuery } from "kysely";

// The core marks its own selects by handing them to `sqliteStoreKind.readOwnRows`, never by what
// their SQL says. The mark travels on the compiled query itself, through Kysely's own
// `executeQuery` (its log, its plugins, the transaction's connection) to the Teams lease, which
// reads it; any other connection runs the query as it is.

const marked = new WeakSet<CompiledQuery>();

/** A copy of `query` marked as one of the service's own selects (the original stays unmarked). */
export function markOwnSelect<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  const copy = Object.freeze({ ...query });
  marked.add(copy);
  return copy;
}

/** Whether `query` came from `markOwnSelect`. */
export function isOwnSelect(query: CompiledQuery): boolean {
  return marked.has(query);
}
