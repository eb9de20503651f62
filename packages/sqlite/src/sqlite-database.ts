// The part of better-sqlite3 the dialect, driver and connection use, declared here rather than
// imported (as Kysely's own SQLite dialect does): an embedder's better-sqlite3 `Database` fits it,
// whichever version of the package and of its types the embedder has, and nothing else is relied on.
// https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md

/** A better-sqlite3 `Database`: what `ImmediateSqliteDialect` takes. */
export interface SqliteDatabase {
  /** False once closed: statements then fail, and the driver answers `Unavailable`. */
  readonly open: boolean;
  /** Whether a transaction is open: SQLite may roll one back by itself (a full disk, an I/O error). */
  readonly inTransaction: boolean;
  prepare(source: string): SqliteStatement;
  close(): void;
}

/** A better-sqlite3 `Statement`. Parameters are bound from one array, as Kysely compiles them. */
export interface SqliteStatement {
  /** Whether it returns rows (a select, a pragma that answers, `returning`). */
  readonly reader: boolean;
  /** Every row, as objects keyed by column name unless `raw` or `pluck` is on. */
  all(parameters: readonly unknown[]): unknown[];
  /** The first row, or undefined. */
  get(parameters: readonly unknown[]): unknown;
  run(parameters: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
  /** Rows one at a time; the database serves no other statement until it is done or returned. */
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
  /** Rows read as arrays of values in select order (statement state: it stays on). */
  raw(toggle?: boolean): this;
  /** Rows read as the value of their first column (statement state: it stays on). */
  pluck(toggle?: boolean): this;
  /** A reader's columns, in select order. */
  columns(): { readonly name: string }[];
}
