// Internal failure signals of verification. Their messages are ours or jose's fixed texts: never
// the token, nor anything decoded from it (jose's JSON parse causes can quote the input).

import type { NotAuthenticatedReason } from "@teams/core";
import { joseRejectionReason } from "./rejection-reason.js";

/** The token is not acceptable; the caller answers "Could not validate credentials". */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected";
  constructor(
    message: string,
    /** Why, for the request log; default `bad_claims` (a claim of the wrong shape or value). */
    readonly reason: NotAuthenticatedReason = "bad_claims",
  ) {
    super(message);
  }
}

/** The key set could not be fetched: not the client's fault, so it is not answered as a 401. */
export class KeySetUnavailable extends Error {
  override readonly name = "KeySetUnavailable";
}

/** A message-only copy of why verification failed, safe to attach as a `cause`. */
export function safeReason(error: unknown): TokenRejected {
  if (error instanceof TokenRejected) return error;
  const reason = joseRejectionReason(error);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // jose's messages are static strings; anything else is reduced to its class name.
    if (typeof code === "string" && code.startsWith("ERR_")) {
      return new TokenRejected(`${code}: ${error.message}`, reason);
    }
    return new TokenRejected(error.name, reason);
  }
  return new TokenRejected("verification failed", reason);
}
