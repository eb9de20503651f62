import type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";

// The service's own selects, read the fast way. better-sqlite3 spends about 0.35 µs a row and
// 0.1 µs a value building JavaScript values one by one, and builds an object a row by defining each
// property on an empty one (a page of 50 users of 6 columns: 55 µs, of which SQLite's own work is
// 6). All the rows as one JSON text parsed by V8 cost half; one column read as bare values skips the
// objects. That holds only for values JSON carries exactly, so it is not how an embedder's queries
// are read (`SqliteConnection.executeQuery` answers what better-sqlite3 does): only the core's own
// selects, of text, integers and NULL, come here, through `sqliteStoreKind.readOwnRows`.
//
// Contract: `JsonRowsSelect.all` answers rows equal to what `prepare(sql).all(parameters)` answers
// for them, in order, when they hold text, NULL, integers and floats and the database does not read
// integers as BigInt: the same objects (a later column of a repeated name wins), the same values.
// A select whose rows JSON cannot carry (a BLOB, more text than one string may hold) is read value
// by value from then on; one on a database that reads BigInts never takes the JSON way.

/**
 * One reader prepared for its fast reading. Its statements are its own: `raw` and `pluck` are
 * statement state, so a statement read so is never the one that answers plain objects.
 */
export class JsonRowsSelect {
  /** The columns' names, in select order. */
  readonly columns: readonly string[];
  /** Reads rows as arrays (several columns) or bare values (one). */
  readonly #values: SqliteStatement;
  /** The select wrapped to answer all its rows as one JSON text, while that works for it. */
  #json: SqliteStatement | undefined;

  /** `statement` is a reader of `sql`, prepared for this select alone; it is put in raw or pluck mode. */
  constructor(database: SqliteDatabase, sql: string, statement: SqliteStatement) {
    this.columns = statement.columns().map((c) => c.name);
    // A lone column gains nothing from JSON, which would escape its text and parse it back.
    if (this.columns.length === 1) {
      this.#values = statement.pluck(true);
      return;
    }
    this.#values = statement.raw(true);
    if (this.columns.length > 1 && !readsBigInts(database)) {
      try {
        this.#json = database.prepare(asJsonRows(sql, this.columns.length)).pluck(true);
      } catch {
        // A select SQLite cannot nest as written: it is read value by value.
      }
    }
  }

  /** The rows, as objects keyed by column name (see the contract above). */
  all<R>(parameters: readonly unknown[]): R[] {
    const json = this.#json;
    if (json) {
      try {
        return toObjects<R>(this.columns, JSON.parse(json.get(parameters) as string) as unknown[]);
      } catch (error) {
        if (!cannotBeJson(error)) throw error;
        this.#json = undefined;
      }
    }
    return toObjects<R>(this.columns, this.#values.all(parameters));
  }
}

/** Whether statements prepared on `database` now read integers as BigInt (`defaultSafeIntegers`). */
function readsBigInts(database: SqliteDatabase): boolean {
  return typeof database.prepare("select 1").pluck(true).get([]) === "bigint";
}

/**
 * The select as one row holding all its rows as a JSON array of arrays, in its order. The columns
 * are renamed by position, so any names (duplicates, expressions) work. SQLite's JSON renders
 * integers, text and NULL as better-sqlite3 reads them, and floats so that they read back equal.
 * A column that is JSON already (json_object, ...) stays text: the SQLite better-sqlite3 bundles
 * does not carry JSON subtypes out of the CTE. An aggregate over a subquery with ORDER BY keeps its
 * rows in that order (the subquery is not flattened into an aggregate). A test holds SQLite to both.
 */
function asJsonRows(sql: string, width: number): string {
  const names = Array.from({ length: width }, (_, i) => `c${i}`).join(", ");
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

/** Rows (arrays of values, or bare values for one column) as objects; a later repeated name wins. */
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
