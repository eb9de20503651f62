import { OpenAPIHono } from "@hono/zod-openapi";
import type { Authenticator } from "@teams/auth";
import { Forbidden, type Teams } from "@teams/core";
import type { Context } from "hono";
import { cors } from "hono/cors";
import type { Logger } from "pino";
import { nodeAnswerOf, putAnswerHeaders, withAnswerHeaders } from "./http/answer-headers.js";
import type { Api } from "./http/api.js";
import { requestCredentials } from "./http/credentials.js";
import { isForgeableCookieWrite } from "./http/cross-site.js";
import { endpoint } from "./http/endpoint.js";
import { detailResponse } from "./http/fastapi-errors.js";
import { readFormOrJsonBody, readJsonBody } from "./http/json-body.js";
import { issueSource, registerOperation } from "./http/operation.js";
import { type PublicOriginOptions, publicOrigin, publicOriginGate } from "./http/public-origin.js";
import { type RateLimitOptions, rateLimits } from "./http/rate-limits.js";
import { readinessChecks } from "./http/readiness.js";
import { beginRequest, factsOf, noteCaller } from "./http/request-facts.js";
import { requestIdOf } from "./http/request-id.js";
import { logRequest } from "./http/request-log.js";
import { methodsFor, slashAlternative } from "./http/route-table.js";
import { routeTemplates, UNMATCHED_ROUTE } from "./http/route-template.js";
import { basicIntrospector } from "./oauth/introspection-caller.js";
import { readOAuthForm } from "./oauth/oauth-form.js";
import { observeRequests, type RequestObservers } from "./observability/observe-requests.js";
import { oauthSchemas } from "./openapi/oauth-components.js";
import { referenceSchemas, securitySchemes } from "./openapi/reference-components.js";
import type { OidcClient } from "./pages/oidc-client.js";
import { consentPages } from "./pages/pages-routes.js";
import { adminRoutes } from "./routes/admin-routes.js";
import { historyRoutes } from "./routes/history-routes.js";
import { managementRoutes } from "./routes/management-routes.js";
import { oauthRoutes } from "./routes/oauth-routes.js";
import { referenceRoutes } from "./routes/reference-routes.js";
import { type SystemOptions, systemRoutes } from "./routes/system-routes.js";
import { userRoutes } from "./routes/user-routes.js";
import { webhookRoutes } from "./routes/webhook-routes.js";
import { trpcRoutes } from "./trpc/trpc-routes.js";

export interface AppOptions {
  teams: Teams;
  authenticator: Authenticator;
  /** Answers when the store can serve (readiness); throws otherwise. */
  ping(): Promise<void>;
  /** Largest request body accepted, in bytes. Default 65536. */
  maxBodyBytes?: number;
  /** Browser origins allowed to call the API (CORS). Default none: same-origin only. */
  corsOrigins?: readonly string[];
  /**
   * Origins besides this server's that a consent page may send the person back to (`return_to`).
   * Default none: a `return_to` elsewhere is ignored and the person lands on their teams page.
   */
  allowedReturnOrigins?: readonly string[];
  /**
   * Secret of the consent pages' CSRF tokens and one-time notices; default a random one for this
   * process. Instances serving one address must share it, or a form shown by one is refused by
   * another.
   */
  csrfSecret?: Uint8Array;
  /**
   * Where people reach this server (TEAMS_PUBLIC_URL, TEAMS_TRUSTED_PROXIES, HOST/PORT). Default
   * none of them: each request's own URL decides, and its Host header is not checked.
   */
  publicOrigin?: PublicOriginOptions;
  /** Lifetime in seconds of the access tokens the service issues (delegated, principal). Default 900. */
  delegatedTokenTtlSeconds?: number;
  /**
   * The resource servers' secret for `POST /api/v1/oauth/introspect` over HTTP Basic
   * (TEAMS_INTROSPECTION_SECRET). Default none: only an admin-scoped token may introspect.
   */
  introspectionSecret?: string;
  /**
   * What times and traces each request (the server passes its metrics and tracing, when
   * configured). Default none: requests are neither timed nor traced.
   */
  observers?: RequestObservers;
  /**
   * The OpenID Connect provider the pages sign people in at (`createOidcClient`). Default none:
   * development links, or a `token` cookie set by the service that sent the person.
   */
  oidc?: OidcClient;
  /** Lifetime in seconds of a browser session started at the provider (TEAMS_SESSION_TTL). Default 28800. */
  sessionTtlSeconds?: number;
  /**
   * Requests per window per client address, per caller and 401s per address (TEAMS_RATE_LIMIT*).
   * Default none: nothing is limited (tests in process; the server passes the configuration's).
   */
  rateLimits?: RateLimitOptions;
  /** What `/version` reports of the store: its family and its database's schema version. Default null. */
  about?: SystemOptions["about"];
  /**
   * Age in seconds of the webhook outbox's oldest undelivered entry (null when empty): `/readyz`
   * fails past `outboxMaxAgeSeconds`. Default none: no outbox check.
   */
  outboxAge?: () => Promise<number | null>;
  /** TEAMS_READY_OUTBOX_MAX_AGE: how old the outbox's oldest entry may get while ready. Default 300. */
  outboxMaxAgeSeconds?: number;
  /**
   * Where the request lines (one a request) and unexpected errors go; default none (tests). The
   * server passes the logger of TEAMS_LOG (logger.ts).
   */
  logger?: Logger;
}

export function createApp(options: AppOptions): OpenAPIHono {
  const app = new OpenAPIHono();
  const maxBodyBytes = options.maxBodyBytes ?? 65536;
  // A silent logger (TEAMS_LOG=off) writes no request line: none is built.
  const logger = options.logger?.isLevelEnabled("info") ? options.logger : undefined;
  // A child logger only when asked for (an error, a handler that logs): none on the common path.
  const requestLogger = (request: Request | undefined): Logger | undefined => {
    const id = request && factsOf(request)?.id;
    return id === undefined ? options.logger : options.logger?.child({ request_id: id });
  };
  // An unexpected error's line is written by its request's logger: it carries the request id.
  const onBug = (error: unknown, request?: Request) =>
    requestLogger(request)?.error({ err: error }, "unexpected error");
  const limits = options.rateLimits && rateLimits(options.rateLimits);
  const admitCaller = limits ? (sub: string) => limits.admitCaller(sub) : async () => {};
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use(
      "/api/*",
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: ["Authorization", "Content-Type", "refreshed-token"],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        maxAge: 600,
      }),
    );
  }

  const refuseForgery = (request: Request) => {
    // Only a write can be forged: a read skips building its origin (this runs on every request).
    if (request.method === "GET" || request.method === "HEAD") return;
    const origin = publicOrigin(request);
    if (
      isForgeableCookieWrite(request.method, request.headers, origin, options.corsOrigins ?? [])
    ) {
      throw new Forbidden("Cross-site requests with cookie credentials are refused", {
        reason: "cross_site_cookie",
      });
    }
  };
  const authentication = async (c: Context, opts?: { headerOnly?: boolean }) => {
    refuseForgery(c.req.raw);
    const found = await options.authenticator.authenticate(
      requestCredentials(c.req.raw.headers),
      opts,
    );
    await admitCaller(found.principal.userId);
    await options.teams.ensureUser(found.identity);
    noteCaller(c.req.raw, found.principal);
    return found;
  };
  const api: Api = {
    app,
    refuseForgery,
    teams: options.teams,
    authenticator: options.authenticator,
    ping: options.ping,
    admitCaller,
    principal: async (c, opts) => (await authentication(c, opts)).principal,
    authentication,
    async introspectionCaller(c) {
      const basic = basicIntrospector(
        c.req.header("authorization") ?? null,
        options.introspectionSecret,
      );
      return basic ? { resourceServer: true } : (await authentication(c)).principal;
    },
    oauthForm: (c) => readOAuthForm(c.req.raw, maxBodyBytes),
    delegatedTokenTtlSeconds: options.delegatedTokenTtlSeconds ?? 900,
    body: (c) => readJsonBody(c.req.raw, maxBodyBytes),
    formOrJsonBody: (c) => readFormOrJsonBody(c.req.raw, maxBodyBytes),
    onBug,
    log: (c) => requestLogger(c.req.raw),
    endpoint: (where, handler) => endpoint(where, handler, onBug),
    operation: (operation, handler) =>
      registerOperation(app, operation, endpoint(issueSource(operation), handler, onBug)),
  };

  for (const [name, schema] of Object.entries({ ...referenceSchemas, ...oauthSchemas })) {
    app.openAPIRegistry.registerComponent("schemas", name, schema as never);
  }
  for (const [name, scheme] of Object.entries(securitySchemes)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }

  historyRoutes(api);
  referenceRoutes(api);
  managementRoutes(api);
  userRoutes(api);
  adminRoutes(api);
  webhookRoutes(api);
  oauthRoutes(api);
  systemRoutes(api, {
    about: options.about,
    readiness: readinessChecks({
      ping: options.ping,
      outboxAge: options.outboxAge,
      outboxMaxAgeSeconds: options.outboxMaxAgeSeconds ?? 300,
    }),
  });
  trpcRoutes(api, maxBodyBytes);
  consentPages(api, {
    allowedReturnOrigins: options.allowedReturnOrigins ?? [],
    maxBodyBytes,
    onBug,
    ...(options.csrfSecret ? { csrfSecret: options.csrfSecret } : {}),
    ...(options.oidc ? { oidc: options.oidc } : {}),
    ...(options.sessionTtlSeconds ? { sessionTtlSeconds: options.sessionTtlSeconds } : {}),
  });

  // Starlette's answers for what no route matched: 307 to the path with or without the trailing
  // slash when that one exists, 405 with Allow when the path exists for other methods, else 404.
  app.notFound((c) => {
    const path = c.req.path;
    const allowed = methodsFor(app.routes, path);
    if (allowed.length > 0) {
      return detailResponse(405, "Method Not Allowed", { allow: allowed.join(", ") });
    }
    const alternative = slashAlternative(path);
    if (path !== "/" && methodsFor(app.routes, alternative).includes(c.req.method)) {
      // The address people use (not the one this process was reached at behind a proxy); the
      // path goes in through its setter, so `//host` stays a path.
      const url = new URL(publicOrigin(c.req.raw));
      url.pathname = alternative;
      url.search = new URL(c.req.url).search;
      return new Response(null, { status: 307, headers: { location: url.toString() } });
    }
    return detailResponse(404, "Not Found");
  });
  app.onError((error, c) => {
    onBug(error, c.req.raw);
    return detailResponse(500, "Internal Server Error");
  });
  // The origin check and the answer headers run around Hono's dispatch rather than as middleware:
  // any middleware makes Hono compose the handlers of every request, 10 to 20 % of a small read.
  // The request's id and its log line are taken there too, for the same reason.
  const gate = publicOriginGate(options.publicOrigin ?? {});
  const dispatch = app.fetch;
  // Innermost the answer (the gate, the rate limits, Hono's dispatch), then what observes it
  // (metrics, the trace's span), then the request id, the answer headers and the log line:
  // wrappers around the app's fetch rather than middlewares (any middleware makes Hono compose the
  // handlers of every request).
  const answer: typeof dispatch = limits
    ? async (request, env, executionCtx) => {
        const refused = gate(request, env) ?? (await limits.admit(request, env));
        if (refused) return refused;
        const response = await dispatch(request, env, executionCtx);
        await limits.answered(request, response);
        return response;
      }
    : async (request, env, executionCtx) =>
        gate(request, env) ?? (await dispatch(request, env, executionCtx));
  const { metrics, tracing } = options.observers ?? {};
  const observe = observeRequests({ metrics, tracing });
  const traced = observe.run;
  const answered = observe.answered;
  const routeOf = routeTemplates(app);
  app.fetch = async (request, env, executionCtx) => {
    const started = performance.now();
    const facts = beginRequest(request, requestIdOf(request.headers));
    // Served by Node: the answer headers go on Node's answer, under the Response's own.
    const outgoing = nodeAnswerOf(env);
    if (outgoing) putAnswerHeaders(outgoing, facts.id);
    const route = logger || traced || answered ? routeOf(request) : UNMATCHED_ROUTE;
    let response: Response;
    try {
      response = traced
        ? await traced(request, route, () => answer(request, env, executionCtx))
        : await answer(request, env, executionCtx);
    } catch (error) {
      answered?.(request.method, route, 500, started);
      throw error;
    }
    answered?.(request.method, route, response.status, started);
    if (!outgoing) withAnswerHeaders(response, facts.id);
    if (logger) logRequest(logger, facts, request.method, route, response.status, started);
    return response;
  };
  return app;
}
