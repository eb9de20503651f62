import type { Compilable, CompiledQuery, DialectAdapter, QueryResult } from "kysely";
import type { Store } from "./context.js";

// Kysely builds and compiles a query on every call, which costs more than running it. A prepared
// query is built once per store and shape, with markers in place of the arguments, and afterwards
// only swaps the arguments into the compiled parameters (the SQL is the same text, so the store's
// own statement cache keeps it prepared too). The core's selects are run through the store's
// `readOwnRows`, which may read rows its fastest way (see StoreKind).

/** Where a call's argument goes among the compiled parameters: a marker no caller can pass. */
class Slot {
  constructor(readonly index: number) {}
}

interface Compiled {
  query: CompiledQuery;
  /** For each compiled parameter, the argument index it takes, or -1 for a constant of the query. */
  sources: number[];
  /** A select, which the store may read its own way. */
  select: boolean;
}

/** Which optional parts a query of several shapes has (a page's cursor, its limit, a filter). */
export type Shape<F extends string> = Readonly<Record<F, boolean>>;

/** A query of fixed shape, built once per store, run with new arguments only. */
export type PreparedQuery<A extends unknown[], R> = (
  s: Store,
  ...args: A
) => Promise<QueryResult<R>>;

/** A query of several shapes, each built once per store, run with new arguments only. */
export type ShapedQuery<F extends string, A extends unknown[], R> = (
  s: Store,
  shape: Shape<F>,
  ...args: A
) => Promise<QueryResult<R>>;

/**
 * Prepares a query of several shapes: `build` adds the parts `shape` asks for. One cache, keyed by
 * the store's adapter and the shape. `build` must use each argument as a plain value (no lists, no
 * branching on it), which a query of fixed shape does anyway; an argument a shape leaves unused is
 * simply not sent.
 */
export function prepareShaped<F extends string, A extends unknown[], R>(
  flags: readonly F[],
  build: (s: Store, shape: Shape<F>, ...args: A) => Compilable<R>,
): ShapedQuery<F, A, R> {
  const cache = new WeakMap<DialectAdapter, Map<number, Compiled>>();
  const arity = build.length - 2;
  const keyOf = (shape: Shape<F>) => {
    let key = 0;
    for (let i = 0; i < flags.length; i++) if (shape[flags[i] as F]) key |= 1 << i;
    return key;
  };
  return (s, shape, ...args) => {
    const { db, kind } = s;
    const executor = db.getExecutor();
    // Plugins rewrite queries and their results: such an instance compiles every call and runs
    // it as Kysely does.
    if (executor.plugins.length > 0) return db.executeQuery<R>(build(s, shape, ...args).compile());
    let shapes = cache.get(executor.adapter);
    if (!shapes) {
      shapes = new Map();
      cache.set(executor.adapter, shapes);
    }
    const key = keyOf(shape);
    let compiled = shapes.get(key);
    if (!compiled) {
      const slots = Array.from({ length: arity }, (_, i) => new Slot(i)) as unknown as A;
      const query = build(s, shape, ...slots).compile();
      const sources = query.parameters.map((p) => (p instanceof Slot ? p.index : -1));
      compiled = { query, sources, select: query.query.kind === "SelectQueryNode" };
      shapes.set(key, compiled);
    }
    const { query, sources } = compiled;
    const parameters = new Array<unknown>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i] as number;
      parameters[i] = source === -1 ? query.parameters[i] : args[source];
    }
    // Written out rather than spread: a literal of fixed shape is cheaper to build.
    const ready: CompiledQuery<R> = {
      query: query.query,
      queryId: query.queryId,
      sql: query.sql,
      parameters,
    };
    return compiled.select && kind.readOwnRows
      ? kind.readOwnRows<R>(db, ready)
      : db.executeQuery<R>(ready);
  };
}

const NO_SHAPE: Shape<never> = {};

/** Prepares a query of one shape (see `prepareShaped`). */
export function prepare<A extends unknown[], R>(
  build: (s: Store, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  // `build.length` counts the arguments `prepareShaped` reads: one more for the shape.
  const shaped = prepareShaped<never, A, R>(
    [],
    Object.defineProperty(
      (s: Store, _shape: Shape<never>, ...args: A) => build(s, ...args),
      "length",
      {
        value: build.length + 1,
      },
    ),
  );
  return (s, ...args) => shaped(s, NO_SHAPE, ...args);
}
