import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
import { translateSqliteError } from "./sqlite-errors.js";
import { JsonRowsSelect } from "./sqlite-json-rows.js";

/** Statements kept prepared; a service runs a few dozen distinct queries, so this is never reached. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The single connection to a better-sqlite3 database. Unlike Kysely's own, it keeps statements
 * prepared across calls and reports contention as `Unavailable`. It answers what better-sqlite3
 * answers for each statement (objects from `all()`, the database's integer mode, BLOBs as Buffers);
 * only `readOwnRows`, for the service's own selects, reads them the fast way (sqlite-json-rows.ts).
 */
export class SqliteConnection implements DatabaseConnection {
  /** Statements in better-sqlite3's default reading mode, by SQL. */
  readonly #statements = new Map<string, SqliteStatement>();
  /** The service's own selects, by SQL: statements of their own (raw or plucked); null: no rows. */
  readonly #ownSelects = new Map<string, JsonRowsSelect | null>();

  /** @param onError Told of each statement that failed, its error translated (see `onQueryError`). */
  constructor(
    readonly database: SqliteDatabase,
    readonly onError?: (error: unknown) => void,
  ) {}

  /** `error` translated, and reported. */
  #failed(error: unknown): unknown {
    const translated = translateSqliteError(error);
    this.onError?.(translated);
    return translated;
  }

  #prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      statement = this.database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** `sql` prepared for `readOwnRows`, or undefined when it returns no rows. */
  #prepareOwn(sql: string): JsonRowsSelect | undefined {
    let select = this.#ownSelects.get(sql);
    if (select === undefined) {
      const statement = this.database.prepare(sql);
      select = statement.reader ? new JsonRowsSelect(this.database, sql, statement) : null;
      if (this.#ownSelects.size >= STATEMENT_CACHE_SIZE) this.#ownSelects.clear();
      this.#ownSelects.set(sql, select);
    }
    return select ?? undefined;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const statement = this.#prepare(compiled.sql);
      const parameters = compiled.parameters;
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /**
   * One of the service's own selects (see `sqliteStoreKind.readOwnRows`): the same rows as
   * `executeQuery` for the values the core stores, read the fast way. A statement that returns no
   * rows runs as `executeQuery` runs it.
   */
  async readOwnRows<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    let select: JsonRowsSelect | undefined;
    try {
      select = this.#prepareOwn(compiled.sql);
      if (select) return { rows: select.all<R>(compiled.parameters) };
    } catch (error) {
      throw this.#failed(error);
    }
    return this.executeQuery<R>(compiled);
  }

  /**
   * A reader's rows, `chunkSize` at a time, from one statement: a long list is never held whole.
   * The connection is busy until the last chunk (better-sqlite3 refuses other statements while one
   * iterates), so the consumer must not wait between chunks; the driver keeps others queued.
   */
  async *streamQuery<R>(
    compiled: CompiledQuery,
    chunkSize = 1000,
  ): AsyncIterableIterator<QueryResult<R>> {
    let rows: IterableIterator<unknown>;
    try {
      const statement = this.#prepare(compiled.sql);
      if (!statement.reader) throw new TypeError("only a statement that returns rows can stream");
      rows = statement.iterate(compiled.parameters);
    } catch (error) {
      throw this.#failed(error);
    }
    let chunk: R[] = [];
    try {
      for (const row of rows) {
        chunk.push(row as R);
        if (chunk.length >= chunkSize) {
          yield { rows: chunk };
          chunk = [];
        }
      }
    } catch (error) {
      throw this.#failed(error);
    } finally {
      rows.return?.();
    }
    if (chunk.length > 0) yield { rows: chunk };
  }
}
