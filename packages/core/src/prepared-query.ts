import type { Compilable, CompiledQuery, DialectAdapter, Kysely, QueryResult } from "kysely";
import type { Database } from "./database.js";

type Db = Kysely<Database>;

/** Where a call's argument goes among the compiled parameters: a marker no caller can pass. */
class Slot {
  constructor(readonly index: number) {}
}

interface Compiled {
  query: CompiledQuery;
  /** For each compiled parameter, the argument index it takes, or -1 for a constant of the query. */
  sources: number[];
}

/** A query built once per store and then run with new arguments only. */
export interface PreparedQuery<A extends unknown[], R> {
  (db: Db, ...args: A): Promise<QueryResult<R>>;
  /**
   * Runs it and hands its rows to `onChunk` as they are read, at most `chunkRows` at a time, so a
   * long answer is never held whole. One statement, so one consistent view of the store. A store
   * that cannot stream (or fails before the first rows) runs it whole and hands over one chunk.
   * `onChunk` must not wait for anything: the store's connection is busy until the last row.
   */
  forEachChunk(db: Db, chunkRows: number, onChunk: (rows: R[]) => void, ...args: A): Promise<void>;
}

/**
 * Kysely builds and compiles a query on every call, which costs more than running it. `prepare`
 * builds it once per store, with markers in place of the arguments, and afterwards only swaps the
 * arguments into the compiled parameters (the SQL is the same text, so the store's own statement
 * cache keeps it prepared too). `build` must use each argument as a plain value (no lists, no
 * branching on it), which is what a query of fixed shape does anyway.
 *
 * Compiled queries are kept per dialect adapter, which a store's Kysely instance and its
 * transactions share; an instance with plugins (which rewrite queries) compiles every call.
 */
export function prepare<A extends unknown[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  const cache = new WeakMap<DialectAdapter, Compiled>();
  const compile = (db: Db): Compiled => {
    const slots = Array.from({ length: build.length - 1 }, (_, i) => new Slot(i));
    const query = build(db, ...(slots as unknown as A)).compile();
    const sources = query.parameters.map((p) => (p instanceof Slot ? p.index : -1));
    return { query, sources };
  };
  const compiledFor = (db: Db, args: A): CompiledQuery<R> => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return build(db, ...args).compile();
    let compiled = cache.get(executor.adapter);
    if (!compiled) {
      compiled = compile(db);
      cache.set(executor.adapter, compiled);
    }
    const { query, sources } = compiled;
    const parameters = new Array<unknown>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i] as number;
      parameters[i] = source === -1 ? query.parameters[i] : args[source];
    }
    return { ...query, parameters } as CompiledQuery<R>;
  };
  const run = (db: Db, ...args: A) => db.executeQuery<R>(compiledFor(db, args));
  run.forEachChunk = async (
    db: Db,
    chunkRows: number,
    onChunk: (rows: R[]) => void,
    ...args: A
  ): Promise<void> => {
    const query = compiledFor(db, args);
    let started = false;
    try {
      for await (const result of db.getExecutor().stream<R>(query, chunkRows)) {
        started = true;
        onChunk(result.rows);
      }
    } catch (error) {
      // A store without streaming says so before the first rows; a read can simply run again.
      if (started) throw error;
      onChunk((await db.executeQuery<R>(query)).rows);
    }
  };
  return run;
}
