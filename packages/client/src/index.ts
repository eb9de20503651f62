// @teams/client: a typed client for the Teams service over tRPC. It imports only the router's
// type, so no server code reaches a client bundle.
import type { AppRouter } from "@teams/server/router";
import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from "@trpc/client";

export interface TeamsClientOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:8000` (tRPC is served under `/trpc`). */
  url: string;
  /** A bearer token, or a function returning the current one (called for every request). */
  token?: string | (() => string | Promise<string>);
  /** A fetch implementation (default the global one); tests pass the app's in-process fetch. */
  fetch?: typeof globalThis.fetch;
  /** Most calls sent in one batched request. Default 16, the server's limit. */
  maxBatchSize?: number;
}

/** Creates a typed client: `client.teams.authorized.query()`, `client.teams.authorize.mutate({...})`. */
export function createTeamsClient(options: TeamsClientOptions): TRPCClient<AppRouter> {
  const base = options.url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/trpc`,
        maxItems: options.maxBatchSize ?? 16,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        async headers() {
          const token = typeof options.token === "function" ? await options.token() : options.token;
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}

export type TeamsClient = TRPCClient<AppRouter>;
export type { AppRouter };

/** Whether an error is the service's answer (not a network failure), with its HTTP status. */
export function isTeamsError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

/** The HTTP status the service answered a failed call with (401, 403, 404, 422, 503, ...). */
export function errorStatus(error: unknown): number | undefined {
  return isTeamsError(error) ? error.data?.httpStatus : undefined;
}
