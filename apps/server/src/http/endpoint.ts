import { TeamsError } from "@teams/core";
import type { Context } from "hono";
import { errorResponse, HttpProblem, type IssueSource } from "./fastapi-errors.js";
import { OAuthProblem } from "./oauth-answers.js";
import { noteRefusal } from "./request-facts.js";

export type Handler = (c: Context) => Promise<Response>;

/**
 * Wraps a route handler so that every error it throws becomes its FastAPI answer, with validation
 * issues located as this route's values are (`where`); an unexpected error is reported to `onBug`
 * and answered 500 without details.
 */
export function endpoint(
  where: IssueSource,
  handler: Handler,
  onBug: (error: unknown, request: Request) => void,
): Handler {
  return async (c) => {
    try {
      return await handler(c);
    } catch (error) {
      const expected =
        error instanceof TeamsError ||
        error instanceof HttpProblem ||
        error instanceof OAuthProblem;
      if (!expected) onBug(error, c.req.raw);
      else noteRefusal(c.req.raw, error);
      return errorResponse(error, where);
    }
  };
}
