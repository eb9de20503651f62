import { readBody } from "../http/json-body.js";
import { OAuthProblem } from "../http/oauth-answers.js";

// The form-encoded requests of the OAuth endpoints (RFC 6749 §4.1.3 and §6, RFC 7009, RFC 7662),
// read as the RFCs say: `application/x-www-form-urlencoded`, a parameter sent twice is an
// invalid request, client credentials in the body accepted and ignored (none are configured).

/** The parameters of a form body, each present at most once. */
export async function readOAuthForm(
  request: Request,
  maxBytes: number,
): Promise<Map<string, string>> {
  const type = (request.headers.get("content-type") ?? "").trim();
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new OAuthProblem(
      "invalid_request",
      "The request must be sent as application/x-www-form-urlencoded",
    );
  }
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(await readBody(request, maxBytes))) {
    // RFC 6749 §3.2: request parameters must not be included more than once.
    if (form.has(name)) throw new OAuthProblem("invalid_request", `Repeated parameter: ${name}`);
    form.set(name, value);
  }
  return form;
}

/** A parameter the request must carry (else `invalid_request`, naming it). */
export function required(form: Map<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === "") {
    throw new OAuthProblem("invalid_request", `Missing parameter: ${name}`);
  }
  return value;
}

/** The refresh token of a token request; any other grant type is `unsupported_grant_type`. */
export function refreshTokenOf(form: Map<string, string>): string {
  const grantType = required(form, "grant_type");
  if (grantType !== "refresh_token") {
    throw new OAuthProblem(
      "unsupported_grant_type",
      `Unsupported grant type: ${grantType}; this service issues tokens by refresh_token`,
    );
  }
  return required(form, "refresh_token");
}
