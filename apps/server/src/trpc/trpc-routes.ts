import { Unavailable } from "@teams/core";
import type { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Api } from "../http/api.js";
import { depthExceededAt, MAX_JSON_DEPTH, readBody } from "../http/json-body.js";
import { RateLimited } from "../http/rate-limits.js";
import { answerQueriesDirectly } from "./direct-queries.js";
import { QUERY_PATHS } from "./query-paths.js";
import { appRouter } from "./router.js";
import { rootConfig } from "./trpc.js";

/** Most calls one batched request may carry; a larger batch is refused whole (400). */
export const MAX_BATCH_SIZE = 16;

/** tRPC at /trpc, in the same app: the same core, credentials and limits as REST. */
export function trpcRoutes(
  {
    app,
    teams,
    authenticator,
    endpoint,
    refuseForgery,
    admitCaller,
    onBug,
    delegatedTokenTtlSeconds,
  }: Api,
  maxBodyBytes: number,
): void {
  // One error policy for both paths: an unexpected error is logged, and 503s say when to come
  // back, as REST's do.
  const reportError = (error: TRPCError, request: Request) => {
    if (error.code === "INTERNAL_SERVER_ERROR") onBug(error.cause ?? error, request);
  };
  const errorHeaders = (errors: readonly TRPCError[]): Record<string, string> => {
    const limited = errors.find((e) => e.cause instanceof RateLimited)?.cause as
      | RateLimited
      | undefined;
    if (limited) return limited.headers;
    const waits = errors.flatMap((e) =>
      e.cause instanceof Unavailable ? [e.cause.retryAfterSeconds] : [],
    );
    return waits.length > 0 ? { "retry-after": String(Math.max(...waits)) } : {};
  };
  app.all(
    "/trpc/*",
    endpoint({ source: "body" }, async (c) => {
      let req = c.req.raw;
      // Inputs nested absurdly deep would overflow the stack of JSON.parse's callers: refused
      // first, in tRPC's error shape, whether they come in the URL or the body.
      if (req.method === "GET" && tooDeep(new URL(req.url).searchParams.get("input")))
        return tooDeepAnswer();
      if (req.method === "GET") {
        const url = req.url;
        const start = url.indexOf("/trpc/") + "/trpc/".length;
        const queryAt = url.indexOf("?", start);
        const answer = await answerQueriesDirectly({
          router: appRouter,
          config: rootConfig,
          queryPaths: QUERY_PATHS,
          path: queryAt === -1 ? url.slice(start) : url.slice(start, queryAt),
          query: queryAt === -1 ? "" : url.slice(queryAt + 1),
          accept: req.headers.get("trpc-accept"),
          maxBatchSize: MAX_BATCH_SIZE,
          createContext: () => ({
            teams,
            authenticator,
            headers: req.headers,
            refuseForgery: () => refuseForgery(req),
            admitCaller,
            delegatedTokenTtlSeconds,
            request: c.req.raw,
          }),
          onError: (error) => reportError(error, c.req.raw),
          errorHeaders,
        });
        if (answer !== undefined) return new Response(answer.body, answer);
      }
      if (req.method === "POST") {
        // The body is read under the same limit as REST bodies (413) before tRPC sees it.
        const body = await readBody(req, maxBodyBytes);
        if (tooDeep(body)) return tooDeepAnswer();
        req = new Request(req.url, { method: "POST", headers: req.headers, body });
      }
      return fetchRequestHandler({
        endpoint: "/trpc",
        req,
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        onError: ({ error }) => reportError(error, c.req.raw),
        responseMeta: ({ errors }) => ({ headers: errorHeaders(errors) }),
        createContext: () => ({
          teams,
          authenticator,
          headers: req.headers,
          refuseForgery: () => refuseForgery(req),
          admitCaller,
          delegatedTokenTtlSeconds,
          request: c.req.raw,
        }),
      });
    }),
  );
}

const tooDeep = (text: string | null) =>
  text !== null && depthExceededAt(text, MAX_JSON_DEPTH) !== -1;

/** The answer tRPC gives an input it cannot take (422), for one nested deeper than any schema. */
function tooDeepAnswer(): Response {
  const message = `Input nested deeper than ${MAX_JSON_DEPTH} levels`;
  const error = { message, code: -32022, data: { code: "UNPROCESSABLE_CONTENT", httpStatus: 422 } };
  return new Response(JSON.stringify({ error }), {
    status: 422,
    headers: { "content-type": "application/json" },
  });
}
