/** One failed check of a request, in the shape FastAPI (pydantic v2) reports it, `loc` relative to the input. */
export interface ValidationIssue {
  /** pydantic's error type, e.g. `missing`, `enum`, `list_type`. */
  type: string;
  /** Path inside the validated input (the HTTP layer prefixes `body`, `path` or `query`). */
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** Base of every error the core throws on purpose; anything else is a bug or a broken store. */
export abstract class TeamsError extends Error {
  abstract readonly kind:
    | "not_authenticated"
    | "forbidden"
    | "not_found"
    | "invalid"
    | "invalid_grant"
    | "unavailable";
}

/** No credentials, or credentials that could not be validated (HTTP 401). */
export class NotAuthenticated extends TeamsError {
  readonly kind = "not_authenticated";
  override readonly name = "NotAuthenticated";
}

/** The principal is known but may not do this (HTTP 403). */
export class Forbidden extends TeamsError {
  readonly kind = "forbidden";
  override readonly name = "Forbidden";
}

/** The thing does not exist, or the principal may not know that it does (HTTP 404). */
export class NotFound extends TeamsError {
  readonly kind = "not_found";
  override readonly name = "NotFound";
}

/** The input is malformed; `issues` says where and why (HTTP 422). Nothing was changed. */
export class Invalid extends TeamsError {
  readonly kind = "invalid";
  override readonly name = "Invalid";
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.loc.join(".") || "input"}: ${i.msg}`).join("; "));
  }
}

/**
 * A refresh token that cannot be used (RFC 6749 §5.2 `invalid_grant`, HTTP 400): unknown,
 * expired, used before (its family is then ended), or its basis is gone. Nothing usable is left.
 */
export class InvalidGrant extends TeamsError {
  readonly kind = "invalid_grant";
  override readonly name = "InvalidGrant";
}

/** The store is busy or out of reach; the request changed nothing and may be retried (HTTP 503). */
export class Unavailable extends TeamsError {
  readonly kind = "unavailable";
  override readonly name = "Unavailable";
  constructor(
    message = "The service is temporarily unavailable",
    /** Seconds a client should wait before retrying. */
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
