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

/**
 * Why a request was answered 401, for the operator's log (never sent to the client, whose body
 * stays the reference's "Not authenticated" or "Could not validate credentials").
 */
export type NotAuthenticatedReason =
  | "token_missing"
  | "token_malformed"
  | "token_expired"
  | "token_not_yet_valid"
  | "bad_signature"
  | "wrong_algorithm"
  | "wrong_issuer"
  | "wrong_audience"
  | "unknown_key"
  | "bad_claims"
  | "not_the_manager"
  | "user_deleted"
  | "actor_gone";

/** No credentials, or credentials that could not be validated (HTTP 401). */
export class NotAuthenticated extends TeamsError {
  readonly kind = "not_authenticated";
  override readonly name = "NotAuthenticated";
  /** Why, as a fixed word for the log. */
  readonly reason: NotAuthenticatedReason;
  constructor(message: string, options: { reason: NotAuthenticatedReason; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
  }
}

/** Why a request was answered 403, for the operator's log; the body keeps its human message. */
export type ForbiddenReason =
  | "delegated_token_required"
  | "delegated_token_refused"
  | "team_token_refused"
  | "scope_not_held"
  | "own_token_required"
  | "no_access_to_user"
  | "scope_not_delegable"
  | "nothing_to_delegate"
  | "not_a_service_delegation"
  | "not_an_owner"
  | "last_owner"
  | "managed_cannot_manage"
  | "admin_scope_required"
  | "cross_site_cookie";

/** The principal is known but may not do this (HTTP 403). */
export class Forbidden extends TeamsError {
  readonly kind = "forbidden";
  override readonly name = "Forbidden";
  /** Why, as a fixed word for the log. */
  readonly reason: ForbiddenReason;
  constructor(message: string, options: { reason: ForbiddenReason }) {
    super(message);
    this.reason = options.reason;
  }
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
