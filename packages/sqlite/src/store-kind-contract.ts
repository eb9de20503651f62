import type {
  CompiledQuery,
  Expression,
  Kysely,
  QueryResult,
  RawBuilder,
  Transaction,
} from "kysely";

// The shape of `StoreKind` and `JsonField` from @teams/core (packages/core/src/store-kind.ts), which
// its public surface does not export yet. test/store-kind-contract.test.ts checks both ways that
// these are the core's types; once `@teams/core` exports them, import them from there instead.

/** One field of an object whose JSON text the store builds (see `StoreKind.jsonObject`). */
export type JsonField =
  | { key: string; text: Expression<string | null> }
  /** The stored, space-separated form of a scope set (`encodeScopes`): a JSON array of its words. */
  | { key: string; scopes: Expression<string> }
  /** `true` when the value is not NULL, else `false`. */
  | { key: string; present: Expression<unknown> };

/** What a store tells the core about itself (see @teams/core's `StoreKind` for the contract). */
export interface StoreKind {
  readonly family: "sqlite" | "postgres";
  jsonObject(fields: readonly JsonField[]): RawBuilder<string>;
  // biome-ignore lint/suspicious/noExplicitAny: any database that holds the core's tables
  readOwnRows?<R>(db: Kysely<any>, query: CompiledQuery<R>): Promise<QueryResult<R>>;
  // biome-ignore lint/suspicious/noExplicitAny: migrations are typed over no schema (frozen)
  afterMigrations?(trx: Transaction<any>, applied: readonly number[]): Promise<void>;
}
