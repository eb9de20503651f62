// OAuth's own error answers (RFC 6749 §5.2, RFC 7009, RFC 7662) on the token endpoints: not
// FastAPI's `{"detail"}`, since OAuth clients read `error`. Never cached.

/** The no-store headers every token answer carries (RFC 6749 §5.1). */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** An OAuth error: `error` is one of RFC 6749 §5.2's codes. */
export class OAuthProblem extends Error {
  constructor(
    readonly error:
      | "invalid_request"
      | "invalid_client"
      | "invalid_grant"
      | "unsupported_grant_type"
      | "unsupported_token_type",
    readonly description: string,
    readonly status = error === "invalid_client" ? 401 : 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export function oauthErrorResponse(problem: {
  error: string;
  description: string;
  status: number;
  headers?: Record<string, string>;
}): Response {
  return new Response(
    JSON.stringify({ error: problem.error, error_description: problem.description }),
    {
      status: problem.status,
      headers: { "content-type": "application/json", ...NO_STORE, ...problem.headers },
    },
  );
}

/** A token answer: JSON, never cached. */
export function tokenAnswer(body: object): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json", ...NO_STORE },
  });
}
