import type { Principal } from "@teams/core";

/** What the request log says of a request beyond its method, route and status, filled in as it goes. */
export interface RequestFacts {
  /** The request id (X-Request-Id), sent back and on every log line of the request. */
  readonly id: string;
  /** The authenticated caller's `sub`. */
  sub?: string;
  /** The authenticated caller's acting party (`azp`), when it has one. */
  azp?: string;
  /** Why a 401 or 403 was answered (the error's `reason`). */
  reason?: string;
}

// Keyed by the Request object Hono hands every handler (`c.req.raw`): no middleware needed, and a
// request's facts go with it.
const facts = new WeakMap<Request, RequestFacts>();

/** Starts the facts of a request with its id. */
export function beginRequest(request: Request, id: string): RequestFacts {
  const started: RequestFacts = { id };
  facts.set(request, started);
  return started;
}

/** The facts of a request the app is serving; undefined for one it did not start. */
export function factsOf(request: Request): RequestFacts | undefined {
  return facts.get(request);
}

/** Records who made the request (its principal's `sub` and `azp`). */
export function noteCaller(request: Request, principal: Principal): void {
  const found = facts.get(request);
  if (!found) return;
  found.sub = principal.userId;
  if (principal.authorizedParty !== null) found.azp = principal.authorizedParty;
}

/** Records why a request is refused, when the error says (401s and 403s of the core and auth). */
export function noteRefusal(request: Request, error: unknown): void {
  const reason = (error as { reason?: unknown } | null)?.reason;
  if (typeof reason !== "string") return;
  const found = facts.get(request);
  if (found) found.reason = reason;
}
