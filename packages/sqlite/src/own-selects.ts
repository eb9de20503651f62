import type { CompiledQuery, QueryId, RootOperationNode } from "kysely";

// The core marks its own selects by handing them to `sqliteStoreKind.readOwnRows`, never by what
// their SQL says. The mark travels on the compiled query itself, through Kysely's own
// `executeQuery` (its log, its plugins, the transaction's connection) to the Teams lease, which
// reads it; any other connection runs the query as it is.

// The mark is the copy's class, which only this module makes. (A WeakSet of the marked copies cost
// more than the fast reading saves: every query would leave a weak entry to collect; a spread copy
// with a symbol key made every select build a dictionary-mode object, 1.4 % of a small read.)
class OwnSelect<R> implements CompiledQuery<R> {
  readonly query: RootOperationNode;
  readonly queryId: QueryId;
  readonly sql: string;
  readonly parameters: ReadonlyArray<unknown>;
  constructor(query: CompiledQuery<R>) {
    this.query = query.query;
    this.queryId = query.queryId;
    this.sql = query.sql;
    this.parameters = query.parameters;
  }
}

/** A copy of `query` marked as one of the service's own selects (the original stays unmarked). */
export function markOwnSelect<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return new OwnSelect(query);
}

/** Whether `query` came from `markOwnSelect`. */
export function isOwnSelect(query: CompiledQuery): boolean {
  return query instanceof OwnSelect;
}
