import type { AnyProcedure, AnyRouter } from "@trpc/server";

/**
 * tRPC's fetch adapter spends about as long on a call as the call itself: it builds a web
 * `Request` (and so an `AbortController`) from Node's request, a URL, `Headers`, two more abort
 * signals per call, and a `Response` whose body is then read back. For the commonest call on the
 * path of every data request, a GET of queries (the typed client's `httpBatchLink`, batched or
 * not) whose procedures all succeed, this answers the same bytes directly, running the same
 * procedures with the same context. Anything else, or any error, returns `undefined`, and the
 * adapter answers the request from the start (a query only reads, so running it again is safe),
 * which keeps every error shape and status the adapter's own.
 */
export async function answerQueriesDirectly<Context>(options: {
  router: AnyRouter;
  /** The URL's path after `/trpc/`, still percent-encoded. */
  path: string;
  /** The URL's query string, without `?`. */
  query: string;
  /** The request's `trpc-accept` header: a stream is the adapter's. */
  accept: string | null;
  maxBatchSize: number;
  createContext(): Context;
}): Promise<string | undefined> {
  if (options.accept !== null) return undefined;
  const params = new URLSearchParams(options.query);
  const batch = params.get("batch") === "1";
  let paths: string[];
  try {
    paths = batch
      ? decodeURIComponent(options.path).split(",")
      : [decodeURIComponent(options.path)];
  } catch {
    return undefined;
  }
  if (paths.length > options.maxBatchSize) return undefined;
  const procedures: AnyProcedure[] = [];
  for (const path of paths) {
    const procedure = (options.router._def.procedures as Record<string, AnyProcedure | undefined>)[
      path
    ];
    if (procedure?._def.type !== "query") return undefined;
    procedures.push(procedure);
  }
  // As the adapter reads them: `input` is JSON, for a batch an object keyed by the call's index.
  let inputs: unknown;
  try {
    const text = params.get("input");
    inputs = text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
  if (batch && inputs !== undefined && (typeof inputs !== "object" || inputs === null)) {
    return undefined;
  }
  const ctx = options.createContext();
  const data: unknown[] = [];
  try {
    for (let index = 0; index < procedures.length; index++) {
      const input = batch ? (inputs as Record<number, unknown> | undefined)?.[index] : inputs;
      const procedure = procedures[index] as AnyProcedure;
      data.push(
        await procedure({
          ctx,
          path: paths[index] as string,
          type: "query",
          getRawInput: async () => input,
          signal: undefined,
          batchIndex: index,
        }),
      );
    }
  } catch {
    return undefined;
  }
  const results = data.map((value) => ({ result: { data: value } }));
  return JSON.stringify(batch ? results : results[0]);
}

/** The headers the adapter sends with a JSON answer. */
export const directAnswerHeaders = {
  "content-type": "application/json",
  vary: "trpc-accept, accept",
} as const;
