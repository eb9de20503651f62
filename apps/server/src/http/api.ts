import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Authentication, Authenticator } from "@teams/auth";
import type { IntrospectionCaller, Principal, Teams } from "@teams/core";
import type { Context } from "hono";
import type { Logger } from "pino";
import type { Handler } from "./endpoint.js";
import type { IssueSource } from "./fastapi-errors.js";
import type { Operation } from "./operation.js";

/** What route files get: the core, and the three steps every handler takes before calling it. */
export interface Api {
  app: OpenAPIHono;
  teams: Teams;
  authenticator: Authenticator;
  ping(): Promise<void>;
  /** Throws RateLimited (429) when this authenticated caller is over its rate limit. */
  admitCaller(sub: string): Promise<void>;
  /** Throws Forbidden for a cross-site write whose only credential is the cookie (CSRF). */
  refuseForgery(request: Request): void;
  /** The caller, from its credentials (401 otherwise); a user first seen is recorded. */
  principal(c: Context, options?: { headerOnly?: boolean }): Promise<Principal>;
  /** The caller with what its token says of itself (issuer, kind, `exp`), as `principal` reads it. */
  authentication(c: Context, options?: { headerOnly?: boolean }): Promise<Authentication>;
  /** An introspection's caller: the resource servers' secret (HTTP Basic), or a bearer token. */
  introspectionCaller(c: Context): Promise<IntrospectionCaller>;
  /** An OAuth endpoint's form body, within the size limit (RFC 6749 errors otherwise). */
  oauthForm(c: Context): Promise<Map<string, string>>;
  /** Lifetime of the access tokens the service issues (`TEAMS_DELEGATED_TOKEN_TTL`). */
  delegatedTokenTtlSeconds: number;
  /** The JSON body, within the size limit (413/415/422 otherwise). */
  body(c: Context): Promise<unknown>;
  /** A form-encoded or JSON body, within the size limit (413/415/422 otherwise). */
  formOrJsonBody(c: Context): Promise<unknown>;
  /**
   * Reports an unexpected error (a bug or a broken store) to the log, with the id of the request
   * it happened in when given.
   */
  onBug(error: unknown, request?: Request): void;
  /**
   * The logger of this request: its lines carry the request's `request_id`. Undefined when
   * logging is off.
   */
  log(c: Context): Logger | undefined;
  /** A handler whose errors become FastAPI answers, issues located per `where`. */
  endpoint(where: IssueSource, handler: Handler): Handler;
  /** Serves and documents one REST operation, its handler's errors answered as `endpoint`'s. */
  operation(operation: Operation, handler: Handler): void;
}
