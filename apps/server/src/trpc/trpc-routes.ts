import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Api } from "../app.js";
import { readBody } from "../http/json-body.js";
import { appRouter } from "./router.js";

/** Most calls one batched request may carry; a larger batch is refused whole (400). */
export const MAX_BATCH_SIZE = 16;

/** tRPC at /trpc, in the same app: the same core, credentials and limits as REST. */
export function trpcRoutes(
  { app, teams, authenticator, endpoint, refuseForgery }: Api,
  maxBodyBytes: number,
): void {
  app.all(
    "/trpc/*",
    endpoint({ source: "body" }, async (c) => {
      let req = c.req.raw;
      if (req.method === "POST") {
        // The body is read under the same limit as REST bodies (413) before tRPC sees it.
        const body = await readBody(req, maxBodyBytes);
        req = new Request(req.url, { method: "POST", headers: req.headers, body });
      }
      return fetchRequestHandler({
        endpoint: "/trpc",
        req,
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: () => ({
          teams,
          authenticator,
          headers: req.headers,
          refuseForgery: () => refuseForgery(req),
        }),
      });
    }),
  );
}
