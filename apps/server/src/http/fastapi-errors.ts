import { TeamsError, type ValidationIssue } from "@teams/core";
import { OAuthProblem, oauthErrorResponse } from "./oauth-answers.js";

// Every error answer of the REST face, in FastAPI's shapes: `{"detail": "..."}`, and for validation
// `422 {"detail": [{"type", "loc", "msg", "input"}]}`; the OAuth endpoints' own errors are RFC
// 6749 §5.2 bodies (oauth-answers.ts). Nothing else writes an error body.

const JSON_TYPE = { "content-type": "application/json" };

/** An HTTP answer decided before the core was called (bad body, unknown route, ...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : "Validation error");
  }
}

export function detailResponse(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ detail }), {
    status,
    headers: { ...JSON_TYPE, ...headers },
  });
}

/** Where a request's values come from, to prefix issue locations as FastAPI does. */
export interface IssueSource {
  /** Default prefix: "body" or "query". */
  source: "body" | "query" | "path";
  /** Names of path parameters; an issue located at one of them is a `path` issue. */
  pathParams?: readonly string[];
}

export function locate(issue: ValidationIssue, where: IssueSource): ValidationIssue {
  const [first] = issue.loc;
  if (issue.loc.length === 1 && typeof first === "string" && where.pathParams?.includes(first)) {
    return { ...issue, loc: ["path", first] };
  }
  return { ...issue, loc: [where.source, ...issue.loc] };
}

export function validationResponse(issues: readonly ValidationIssue[]): Response {
  // Key order as pydantic writes it.
  const detail = issues.map((i) => ({ type: i.type, loc: i.loc, msg: i.msg, input: i.input }));
  return new Response(JSON.stringify({ detail }), { status: 422, headers: JSON_TYPE });
}

export const NOT_AUTHENTICATED = { "www-authenticate": "Bearer" };

/** Maps any error to its answer; an unexpected one is a 500 that reveals nothing. */
export function errorResponse(error: unknown, where: IssueSource = { source: "body" }): Response {
  if (error instanceof OAuthProblem) return oauthErrorResponse(error);
  if (error instanceof HttpProblem) {
    return typeof error.detail === "string"
      ? detailResponse(error.status, error.detail, error.headers)
      : validationResponse(error.detail);
  }
  if (error instanceof TeamsError) {
    switch (error.kind) {
      case "not_authenticated":
        return detailResponse(401, error.message, NOT_AUTHENTICATED);
      case "forbidden":
        return detailResponse(403, error.message);
      case "not_found":
        return detailResponse(404, error.message);
      case "invalid":
        return validationResponse(
          (error as TeamsError & { issues: ValidationIssue[] }).issues.map((i) => locate(i, where)),
        );
      case "invalid_grant":
        // RFC 6749 §5.2: an OAuth error body, never cached.
        return oauthErrorResponse({
          error: "invalid_grant",
          description: error.message,
          status: 400,
        });
      case "unavailable":
        return detailResponse(503, error.message, {
          "retry-after": String(
            (error as TeamsError & { retryAfterSeconds: number }).retryAfterSeconds,
          ),
        });
    }
  }
  return detailResponse(500, "Internal Server Error");
}
