import type {
  CompiledQuery,
  Expression,
  Kysely,
  QueryResult,
  RawBuilder,
  Transaction,
} from "kysely";

/**
 * One field of an object whose JSON text a store builds (see `StoreKind.jsonObject`). Keys are the
 * core's own (letters and `_`), never escaped.
 */
export type JsonField =
  | { key: string; text: Expression<string | null> }
  /** The stored, space-separated form of a scope set (`encodeScopes`): a JSON array of its words. */
  | { key: string; scopes: Expression<string> }
  /** `true` when the value is not NULL, else `false`. */
  | { key: string; present: Expression<unknown> };

/**
 * What a store tells the core about itself: the few things the two SQL families do differently.
 * `@teams/sqlite` and `@teams/postgres` each export theirs (`sqliteStoreKind`,
 * `postgresStoreKind`), and their stores carry it (`store.kind`); an embedder who opens its own
 * Kysely passes the one of its database to `createTeams` and `migrateToLatest`.
 */
export interface StoreKind {
  /** Which SQL the store speaks: migrations state the SQL they ran for each. */
  readonly family: "sqlite" | "postgres";
  /**
   * An expression whose value is the JSON text of the object made of `fields`, in their order,
   * byte for byte what `JSON.stringify` writes for it (compact, its escapes). Lists are answered
   * as these texts joined, so the store's text must be what a client would get from a value.
   */
  jsonObject(fields: readonly JsonField[]): RawBuilder<string>;
  /**
   * Runs one of the core's own selects (built by the core, of a shape it knows: text, integers
   * and NULL only), so the store may read its rows its fastest way. The rows must equal what
   * `db.executeQuery(query)` answers. Absent: `db.executeQuery`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any database that holds the core's tables
  readOwnRows?<R>(db: Kysely<any>, query: CompiledQuery<R>): Promise<QueryResult<R>>;
  /** Steps of the store's own after the shared migrations ran in `trx` (`applied`: their versions). */
  // biome-ignore lint/suspicious/noExplicitAny: migrations are typed over no schema (frozen)
  afterMigrations?(trx: Transaction<any>, applied: readonly number[]): Promise<void>;
}
