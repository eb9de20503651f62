import {
  type AnyTRPCRootTypes,
  type AnyTRPCRouter,
  callTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  type TRPCError,
  type TRPCRootConfig,
  transformTRPCResponse,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";

/** What the direct path answers: the status, JSON text and headers tRPC's adapter would send. */
export interface DirectAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export interface DirectQueriesOptions<Context> {
  router: AnyTRPCRouter;
  /** The root's configuration (`initTRPC.create()`'s), which shapes the errors as the adapter does. */
  config: TRPCRootConfig<AnyTRPCRootTypes>;
  /** The paths of every query procedure: a call to anything else is left to the adapter. */
  queryPaths: ReadonlySet<string>;
  /** The URL's path after `/trpc/`, still percent-encoded. */
  path: string;
  /** The URL's query string, without `?`. */
  query: string;
  /** The request's `trpc-accept` header: a stream is the adapter's. */
  accept: string | null;
  maxBatchSize: number;
  createContext(): Context;
  /** Told of every call's error, as the adapter's `onError` is. */
  onError(error: TRPCError): void;
  /** Headers an answer carrying these errors adds, as the adapter's `responseMeta` gives them. */
  errorHeaders(errors: readonly TRPCError[]): Record<string, string>;
}

/**
 * tRPC's fetch adapter spends about as long on a call as the call itself: it builds a web
 * `Request` (and so an `AbortController`) from Node's request, a URL, `Headers`, two more abort
 * signals per call, and a `Response` whose body is then read back. For the commonest call on the
 * path of every data request, a GET of queries (the typed client's `httpBatchLink`, batched or
 * not), this answers the same status, bytes and headers directly, running each procedure once with
 * the same context, errors included. What it cannot tell is a plain query call (an unknown path, a
 * mutation, a stream, unreadable input, too large a batch) returns `undefined` before anything ran,
 * for the adapter to answer.
 */
export async function answerQueriesDirectly<Context>(
  options: DirectQueriesOptions<Context>,
): Promise<DirectAnswer | undefined> {
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
  if (!paths.every((path) => options.queryPaths.has(path))) return undefined;
  // As the adapter reads them: `input` is JSON, for a batch an object keyed by the call's index.
  let inputs: unknown;
  try {
    const text = params.get("input");
    inputs = text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
  const keyed = typeof inputs === "object" && inputs !== null && !Array.isArray(inputs);
  if (batch && inputs !== undefined && !keyed) {
    return undefined;
  }
  const ctx = options.createContext();
  const responses: TRPCResponse[] = [];
  // By call, as the adapter gives them to getHTTPStatusCode: undefined where a call succeeded.
  const errors: (TRPCError | undefined)[] = [];
  for (let index = 0; index < paths.length; index++) {
    const path = paths[index] as string;
    const input = batch ? (inputs as Record<number, unknown> | undefined)?.[index] : inputs;
    try {
      const data = await callTRPCProcedure({
        router: options.router,
        path,
        type: "query",
        ctx,
        getRawInput: async () => input,
        signal: undefined,
        batchIndex: index,
      });
      responses.push({ result: { data } });
      errors.push(undefined);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError(error);
      errors.push(error);
      const shape = getErrorShape({
        config: options.config,
        error,
        type: "query",
        path,
        input,
        ctx,
      });
      responses.push({ error: shape });
    }
  }
  const json = batch ? responses : (responses[0] as TRPCResponse);
  const failed = errors.filter((error) => error !== undefined);
  return {
    status: getHTTPStatusCode(json, errors),
    body: JSON.stringify(transformTRPCResponse(options.config, json)),
    headers: { ...directAnswerHeaders, ...(failed.length > 0 ? options.errorHeaders(failed) : {}) },
  };
}

/** The headers the adapter sends with a JSON answer. */
const directAnswerHeaders = {
  "content-type": "application/json",
  vary: "trpc-accept, accept",
} as const;
