import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { pagingHeaders, pagingQuery } from "./paging.js";
import { pathParams } from "./path-template.js";
import { ref } from "./reference-components.js";

/** A JSON schema for a zod schema of ours (the reference's own shapes are in reference-components). */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const {
    $schema: _,
    $defs: __,
    ...rest
  } = z.toJSONSchema(schema, { unrepresentable: "any", io: "output" });
  // Shared schemas (Scope, ApplicationMemberRole) are components of the document already.
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

type Schema = Record<string, unknown>;

export interface OperationDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path, `{param}` style; its parameters are the operation's path parameters. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * Query parameters; `extension` marks one the reference does not have (it is documented with
   * `x-extension: true`). Default none.
   */
  query?: {
    name: string;
    required: boolean;
    schema: Schema;
    description?: string;
    extension?: true;
  }[];
  /**
   * A list that answers one page when asked (`limit`, `cursor`; `Link` and `X-Next-Cursor` on the
   * answer). Default false.
   */
  paged?: boolean;
  body?: {
    schema: Schema;
    required?: boolean;
    /** How the body is encoded; default JSON. The OAuth endpoints take forms (RFC 6749). */
    type?: "application/json" | "application/x-www-form-urlencoded";
  };
  /**
   * The credentials the operation takes; default a bearer token (with the reference's
   * `refreshed-token` header and `token` cookie). Empty: none (the token endpoint).
   */
  security?: ("HTTPBearer" | "HTTPBasic")[];
  /**
   * OAuth's error answers (RFC 6749 §5.2 `OAuthError`, with these statuses) instead of FastAPI's
   * `{"detail"}` ones. Default none.
   */
  oauthErrors?: number[];
  /** Success status and body schema (none for 204). */
  success: { status: number; schema?: Schema; title?: string; description?: string };
}

/** The error answers every operation can give (all need credentials, all touch the store). */
const everyError = {
  401: "Not authenticated",
  403: "Forbidden",
  503: "Store unavailable",
} as const;

/** The `{"detail": ...}` answers of an operation: 404 only where a path parameter names something. */
export function errorResponses(path: string): Record<number, unknown> {
  const errors: Record<number, string> = { ...everyError };
  if (pathParams(path).length > 0) errors[404] = "Not found";
  return Object.fromEntries(
    Object.entries(errors).map(([status, description]) => [
      status,
      { description, content: { "application/json": { schema: ref("HTTPError") } } },
    ]),
  );
}

const oauthErrorText: Record<number, string> = {
  400: "OAuth error (RFC 6749 §5.2): invalid_request, invalid_grant, unsupported_grant_type",
  401: "OAuth error: invalid_client",
  403: "Forbidden",
  503: "Store unavailable",
};

const titleCase = (name: string) =>
  name
    .split(/[_-]/)
    .map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : w))
    .join(" ");

/**
 * Documents one operation in the app's OpenAPI registry the way FastAPI would: the credential
 * parameters of the reference (`refreshed-token` header, `token` cookie), HTTPBearer security, and
 * the 422 `HTTPValidationError` answer.
 */
export function documentOperation(app: OpenAPIHono, doc: OperationDoc): void {
  const parameters: Record<string, unknown>[] = [
    ...pathParams(doc.path).map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string", title: titleCase(name) },
    })),
    ...[...(doc.query ?? []), ...(doc.paged ? pagingQuery : [])].map((q) => ({
      name: q.name,
      in: "query",
      required: q.required,
      schema: { ...q.schema, title: titleCase(q.name) },
      ...(q.description ? { description: q.description } : {}),
      ...(q.extension ? { "x-extension": true } : {}),
    })),
  ];
  const security = doc.security ?? ["HTTPBearer"];
  if (security.includes("HTTPBearer")) {
    parameters.push(
      {
        name: "refreshed-token",
        in: "header",
        required: false,
        schema: { anyOf: [{ type: "string" }, { type: "null" }], title: "Refreshed-Token" },
      },
      {
        name: "token",
        in: "cookie",
        required: false,
        schema: { anyOf: [{ type: "string" }, { type: "null" }], title: "Token" },
      },
    );
  }
  const headers = doc.paged ? { headers: pagingHeaders } : {};
  const success = doc.success.schema
    ? {
        description: doc.success.description ?? "Successful Response",
        ...headers,
        content: {
          "application/json": {
            schema: doc.success.title
              ? { ...doc.success.schema, title: doc.success.title }
              : doc.success.schema,
          },
        },
      }
    : { description: doc.success.description ?? "Successful Response" };
  app.openAPIRegistry.registerPath({
    method: doc.method,
    path: doc.path,
    tags: doc.tags,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    operationId: doc.operationId,
    security: security.map((name) => ({ [name]: [] })),
    parameters,
    ...(doc.body
      ? {
          request: {
            body: {
              content: { [doc.body.type ?? "application/json"]: { schema: doc.body.schema } },
              required: doc.body.required ?? true,
            },
          },
        }
      : {}),
    responses: doc.oauthErrors
      ? {
          [doc.success.status]: success,
          ...Object.fromEntries(
            doc.oauthErrors.map((status) => [
              status,
              {
                description: oauthErrorText[status] ?? "Error",
                content: { "application/json": { schema: ref("OAuthError") } },
              },
            ]),
          ),
        }
      : {
          [doc.success.status]: success,
          ...errorResponses(doc.path),
          422: {
            description: "Validation Error",
            content: { "application/json": { schema: ref("HTTPValidationError") } },
          },
        },
  } as never);
}
