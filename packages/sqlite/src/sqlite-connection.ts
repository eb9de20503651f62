import type BetterSqlite3 from "better-sqlite3";
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";
import { translateSqliteError } from "./sqlite-errors.js";

/** Statements kept prepared; a service runs a few dozen distinct queries, so this is never reached. */
const STATEMENT_CACHE_SIZE = 500;

interface Prepared {
  statement: BetterSqlite3.Statement;
  /** A reader's column names, in select order; undefined for a statement that returns no rows. */
  columns: string[] | undefined;
  /**
   * The same select wrapped to answer all its rows as one JSON text (see `asJsonRows`), while that
   * works for it; undefined for statements that are not plain selects or that hold what JSON cannot.
   */
  json: BetterSqlite3.Statement | undefined;
}

/**
 * The single connection to a better-sqlite3 database. Unlike Kysely's own, it keeps statements
 * prepared across calls and reports contention as `Unavailable`.
 */
export class SqliteConnection implements DatabaseConnection {
  readonly #statements = new Map<string, Prepared>();

  constructor(readonly database: BetterSqlite3.Database) {}

  #prepare(sql: string): Prepared {
    let prepared = this.#statements.get(sql);
    if (!prepared) {
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      const statement = this.database.prepare(sql);
      // Rows are read as arrays and turned into objects here: better-sqlite3 builds an object by
      // defining each property on an empty one, which costs more than the query for short rows.
      const columns = statement.reader ? statement.columns().map((c) => c.name) : undefined;
      // One column is read as bare values (no array a row); wider rows as one JSON text. A lone
      // text column gains nothing from JSON, which would escape it and parse it back.
      if (columns?.length === 1) statement.pluck(true);
      else if (columns) statement.raw(true);
      const json = columns && columns.length > 1 ? this.#jsonRows(sql, columns.length) : undefined;
      prepared = { statement, columns, json };
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  #jsonRows(sql: string, width: number): BetterSqlite3.Statement | undefined {
    // A column that is JSON already (json_object, ...) must come back as its text. SQLite does not
    // carry JSON subtypes through the CTE today; such selects are read as they are all the same.
    if (!PLAIN_SELECT.test(sql) || /\bjson/i.test(sql)) return undefined;
    try {
      return this.database.prepare(asJsonRows(sql, width)).pluck(true);
    } catch {
      return undefined; // a select SQLite cannot nest as written: read it as it is
    }
  }

  /** A reader's rows as arrays of values in select order, or bare values for one column. */
  #rows(prepared: Prepared, parameters: unknown[]): unknown[][] | unknown[] {
    const { json } = prepared;
    if (json) {
      try {
        return JSON.parse(json.get(parameters) as string) as unknown[][];
      } catch (error) {
        // A BLOB, or a result longer than one string may be: this statement reads rows as they are.
        if (!cannotBeJson(error)) throw error;
        prepared.json = undefined;
      }
    }
    return prepared.statement.all(parameters) as unknown[][] | unknown[];
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const prepared = this.#prepare(compiled.sql);
      const { statement, columns } = prepared;
      const parameters = compiled.parameters as unknown[];
      if (columns) {
        return { rows: toObjects(columns, this.#rows(prepared, parameters)) };
      }
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      throw translateSqliteError(error);
    }
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
    let prepared: Prepared;
    let rows: IterableIterator<unknown>;
    try {
      prepared = this.#prepare(compiled.sql);
      if (!prepared.columns) throw new TypeError("only a statement that returns rows can stream");
      rows = prepared.statement.iterate(compiled.parameters as unknown[]);
    } catch (error) {
      throw translateSqliteError(error);
    }
    const { columns } = prepared;
    let chunk: unknown[] = [];
    try {
      for (const row of rows) {
        chunk.push(row);
        if (chunk.length >= chunkSize) {
          yield { rows: toObjects<R>(columns, chunk) };
          chunk = [];
        }
      }
    } catch (error) {
      throw translateSqliteError(error);
    } finally {
      rows.return?.();
    }
    if (chunk.length > 0) yield { rows: toObjects<R>(columns, chunk) };
  }
}

// Kysely compiles every select it builds to text that starts so; anything else is read as it is.
const PLAIN_SELECT = /^select\s/i;

/**
 * The select as one row holding all its rows as a JSON array of arrays, in its order. better-sqlite3
 * spends about 0.35 µs a row and 0.1 µs a value building JavaScript values one by one (a page of 50
 * users of 6 columns: 55 µs, of which SQLite's own work is 6); one string parsed by V8 costs half.
 * The columns are renamed by position, so any names (duplicates, expressions) work. SQLite's JSON
 * renders integers, text and NULL as better-sqlite3 would, and floats so that they read back equal.
 */
function asJsonRows(sql: string, width: number): string {
  const names = Array.from({ length: width }, (_, i) => `c${i}`).join(", ");
  // An aggregate over a subquery with ORDER BY keeps its rows in that order (the subquery is not
  // flattened into an aggregate); a test holds SQLite to it.
  return `with rows(${names}) as (${sql}) select json_group_array(json_array(${names})) from rows`;
}

/** What a select whose values JSON cannot carry raises: a BLOB, or more text than one string. */
function cannotBeJson(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "SQLITE_TOOBIG") return true;
  return (
    error instanceof Error && /JSON cannot hold BLOB|string length|too big/i.test(error.message)
  );
}

/**
 * Rows as objects keyed by column name, in select order (a later column of the same name wins).
 * A statement of one column hands over bare values (it is read with `pluck`).
 */
function toObjects<R>(columns: readonly string[], rows: readonly unknown[]): R[] {
  const objects = new Array<R>(rows.length);
  if (columns.length === 1) {
    const name = columns[0] as string;
    for (let r = 0; r < rows.length; r++) objects[r] = { [name]: rows[r] } as R;
    return objects;
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown[];
    const object: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) object[columns[c] as string] = row[c];
    objects[r] = object as R;
  }
  return objects;
}
