// Internal failure signals of verification. Their messages are ours or jose's fixed texts: never
// the token, nor anything decoded from it (jose's JSON parse causes can quote the input).

/** Why a token was refused, as `TokenVerificationResult` says it (its refusals only). */
export type RejectionKind =
  | "malformed"
  | "not_yet_valid"
  | "bad_signature"
  | "unknown_key"
  | "bad_claims";

/** The token is not acceptable; the caller answers "Could not validate credentials". */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected";
  /** Why, as a fixed word (see `TokenVerificationResult`). Default `bad_claims`. */
  readonly result: RejectionKind;
  constructor(message: string, result: RejectionKind = "bad_claims") {
    super(message);
    this.result = result;
  }
}

/** The key set could not be fetched: not the client's fault, so it is not answered as a 401. */
export class KeySetUnavailable extends Error {
  override readonly name = "KeySetUnavailable";
}

/** A message-only copy of why verification failed, safe to attach as a `cause`. */
export function safeReason(error: unknown): Error {
  if (error instanceof TokenRejected) return error;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // jose's messages are static strings; anything else is reduced to its class name.
    if (typeof code === "string" && code.startsWith("ERR_")) {
      return new TokenRejected(`${code}: ${error.message}`);
    }
    return new TokenRejected(error.name);
  }
  return new TokenRejected("verification failed");
}
