import type { OpenAPIHono } from "@hono/zod-openapi";
import { documentOperation, type OperationDoc } from "../openapi/operations.js";
import { honoPath, pathParams } from "../openapi/path-template.js";
import type { Handler } from "./endpoint.js";
import type { IssueSource } from "./fastapi-errors.js";

/** One REST operation, declared once: its route and its OpenAPI description come from it. */
export interface Operation extends OperationDoc {
  /** Where validation issues not about a path parameter are located. Default "body". */
  issues?: "body" | "query";
}

/** How the operation's handler locates validation issues: its path parameters are `path` issues. */
export function issueSource(operation: Operation): IssueSource {
  return { source: operation.issues ?? "body", pathParams: pathParams(operation.path) };
}

/**
 * Registers the operation's route with `handler` and documents it, in the order of the calls
 * (Hono matches routes in that order, so `/teams/authorized` must come before `/teams/{team_id}`).
 */
export function registerOperation(app: OpenAPIHono, operation: Operation, handler: Handler): void {
  app.on(operation.method.toUpperCase(), honoPath(operation.path), handler);
  const { issues: _, ...doc } = operation;
  documentOperation(app, doc);
}
