import type BetterSqlite3 from "better-sqlite3";
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";
import { translateSqliteError } from "./sqlite-errors.js";

/** Statements kept prepared; a service runs a few dozen distinct queries, so this is never reached. */
const STATEMENT_CACHE_SIZE = 500;

interface Prepared {
  statement: BetterSqlite3.Statement;
  /** A reader's column names, in select order; undefined for a statement that returns no rows. */
  columns: string[] | undefined;
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
      if (columns) statement.raw(true);
      prepared = { statement, columns };
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const { statement, columns } = this.#prepare(compiled.sql);
      const parameters = compiled.parameters as unknown[];
      if (columns) return { rows: toObjects(columns, statement.all(parameters) as unknown[][]) };
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
    let rows: IterableIterator<unknown[]>;
    try {
      prepared = this.#prepare(compiled.sql);
      if (!prepared.columns) throw new TypeError("only a statement that returns rows can stream");
      rows = prepared.statement.iterate(compiled.parameters as unknown[]) as IterableIterator<
        unknown[]
      >;
    } catch (error) {
      throw translateSqliteError(error);
    }
    const { columns } = prepared;
    let chunk: unknown[][] = [];
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

/** Rows as objects keyed by column name, in select order (a later column of the same name wins). */
function toObjects<R>(columns: readonly string[], rows: readonly unknown[][]): R[] {
  const objects = new Array<R>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown[];
    const object: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) object[columns[c] as string] = row[c];
    objects[r] = object as R;
  }
  return objects;
}
