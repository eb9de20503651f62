import type { Authentication, Authenticator } from "@teams/auth";
import { Invalid, type Teams, TeamsError, type ValidationIssue } from "@teams/core";
import { initTRPC, type TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { RateLimited } from "../http/rate-limits.js";
import { noteCaller, noteRefusal } from "../http/request-facts.js";

/** What every procedure gets: the core, the authenticator and the request's headers. */
export interface TrpcContext {
  teams: Teams;
  authenticator: Authenticator;
  headers: Headers;
  /** Throws Forbidden for a cross-site write whose only credential is the cookie (CSRF). */
  refuseForgery(): void;
  /** Throws RateLimited (429) when the authenticated caller is over its rate limit. */
  admitCaller(sub: string): Promise<void>;
  /** Lifetime of the access tokens the service issues (`TEAMS_DELEGATED_TOKEN_TTL`). */
  delegatedTokenTtlSeconds: number;
  /** The HTTP request, whose log line gets the caller and a refusal's reason; default none. */
  request?: Request;
}

/**
 * The error shape every failed call answers. Validation issues travel in the error's data, in the
 * same pydantic shape REST answers. It names no context type, so the client's bundled declarations
 * carry no server type (see router.ts).
 */
function formatError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  const cause = error.cause;
  const issues = cause instanceof Invalid ? cause.issues : undefined;
  // An unexpected error says nothing of itself (it is logged instead), as REST's 500 does.
  const message =
    shape.data.code === "INTERNAL_SERVER_ERROR" ? "Internal Server Error" : shape.message;
  return {
    ...shape,
    message,
    data: { ...shape.data, stack: undefined, ...(issues ? { issues } : {}) },
  };
}

/** What a failed call's error carries, for clients (`error.data.issues` on a 422). */
export type TeamsErrorShape = ReturnType<typeof formatError>;

const t = initTRPC.context<TrpcContext>().create({ errorFormatter: formatError });

const codes = {
  not_authenticated: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  invalid: "UNPROCESSABLE_CONTENT",
  // RFC 6749 §5.2 answers a refresh token that cannot be used with 400.
  invalid_grant: "BAD_REQUEST",
  unavailable: "SERVICE_UNAVAILABLE",
} as const satisfies Record<TeamsError["kind"], TRPCError["code"]>;

/** The core's typed errors as tRPC codes whose HTTP status equals the REST one (401/403/404/422/503). */
const mapErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof RateLimited) {
    const cause = result.error.cause;
    return {
      ...result,
      error: new TRPCError({ code: "TOO_MANY_REQUESTS", message: cause.message, cause }),
    };
  }
  if (!result.ok && result.error.cause instanceof TeamsError) {
    const cause = result.error.cause;
    if (ctx.request) noteRefusal(ctx.request, cause);
    return {
      ...result,
      error: new TRPCError({ code: codes[cause.kind], message: cause.message, cause }),
    };
  }
  return result;
});

export const router = t.router;
/** The root's configuration: what shapes errors, for the GET queries answered without the adapter. */
export const rootConfig = t._config;
export const publicProcedure = t.procedure.use(mapErrors);

async function authenticate(ctx: TrpcContext, headerOnly: boolean): Promise<Authentication> {
  ctx.refuseForgery();
  const found = await ctx.authenticator.authenticate(
    {
      authorization: ctx.headers.get("authorization"),
      refreshedToken: ctx.headers.get("refreshed-token"),
      cookie: ctx.headers.get("cookie"),
    },
    { headerOnly },
  );
  await ctx.admitCaller(found.principal.userId);
  await ctx.teams.ensureUser(found.identity);
  if (ctx.request) noteCaller(ctx.request, found.principal);
  return found;
}

/** A procedure for any valid credential (DESIGN §2 order). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { principal: (await authenticate(ctx, false)).principal } }),
);

/** A procedure that also reads what the token says of itself (its issuer, kind and `exp`). */
export const authenticatedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const found = await authenticate(ctx, false);
  return next({ ctx: { principal: found.principal, authentication: found } });
});

/** Authorize and revoke read the delegated token from the Authorization header only, as REST does. */
export const headerTokenProcedure = publicProcedure.use(async ({ ctx, next }) =>
  next({ ctx: { principal: (await authenticate(ctx, true)).principal } }),
);

/**
 * An input typed as `T` for the client, checked only for being an object whose `strings` are
 * strings: every other rule is the core's, so tRPC answers bad input exactly as REST does (422).
 */
export function input<T extends object>(...strings: (keyof T & string)[]) {
  return (raw: unknown): T => {
    const value = raw === undefined ? {} : raw;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Invalid([
        {
          type: "model_attributes_type",
          loc: [],
          msg: "Input should be a valid dictionary or object to extract fields from",
          input: raw ?? null,
        },
      ]);
    }
    const issues: ValidationIssue[] = [];
    for (const key of strings) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined)
        issues.push({ type: "missing", loc: [key], msg: "Field required", input: value });
      else if (typeof field !== "string") {
        issues.push({
          type: "string_type",
          loc: [key],
          msg: "Input should be a valid string",
          input: field,
        });
      }
    }
    if (issues.length > 0) throw new Invalid(issues);
    return value as T;
  };
}
