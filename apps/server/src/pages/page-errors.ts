import { TeamsError } from "@teams/core";
import { HttpProblem } from "../http/fastapi-errors.js";
import { RateLimited } from "../http/rate-limits.js";
import { type Html, html } from "./html.js";
import { messagePage, signInPage } from "./message-page.js";

/** An answer decided on the way (sign in first, refused, not found, ...): a page and its status. */
export class PageProblem extends Error {
  constructor(
    readonly status: number,
    readonly page: Html,
    readonly extra: Record<string, string> = {},
  ) {
    super(`page ${status}`);
  }
}

/** A page that says what went wrong, marked as an alert. */
export const problem = (
  status: number,
  title: string,
  body: Html,
  extra: Record<string, string> = {},
) => new PageProblem(status, messagePage({ title, body, alert: true }), extra);

/**
 * The page for an error a handler threw, with the status the API would use; undefined for an
 * unexpected one (a bug: the caller reports it and answers 500). People get HTML, never FastAPI JSON.
 */
export function pageForError(error: unknown, development: boolean): PageProblem | undefined {
  if (error instanceof PageProblem) return error;
  if (error instanceof RateLimited) {
    return problem(
      429,
      "Too many requests",
      html`<p>Nothing was changed; please wait a moment and try again.</p>`,
      error.headers,
    );
  }
  if (error instanceof HttpProblem) {
    const detail = typeof error.detail === "string" ? error.detail : "It is malformed.";
    return problem(error.status, "This form could not be read", html`<p>${detail}</p>`);
  }
  if (!(error instanceof TeamsError)) return undefined;
  switch (error.kind) {
    case "not_authenticated":
      return new PageProblem(
        401,
        signInPage({ development, expired: true, here: "/account/teams" }),
      );
    case "forbidden":
      return problem(403, "Not allowed", html`<p>${error.message}.</p>`);
    case "not_found":
      return problem(
        404,
        "Not found",
        html`<p>${error.message}.</p><p><a href="/account/teams">Your teams</a></p>`,
      );
    case "invalid":
      return problem(422, "That cannot be granted", html`<p>${error.message}</p>`);
    case "invalid_grant":
      return problem(400, "Not allowed", html`<p>${error.message}.</p>`);
    case "unavailable":
      return problem(
        503,
        "Busy, try again",
        html`<p>Teams is busy right now. Nothing was changed; please try again in a moment.</p>`,
        { "retry-after": "1" },
      );
  }
}
