import { errors } from "jose";
import { KeySetUnavailable, TokenRejected } from "./token-rejected.js";

/**
 * How checking one presented credential ended, a fixed word for metrics and logs (never the
 * token, nor a message): `ok`, or why it was refused.
 * - `malformed`: not a Bearer credential, or not a JWT that can be read;
 * - `expired`: past its `exp` (with the clock tolerance);
 * - `not_yet_valid`: before its `nbf`, or an `iat` too far in the future;
 * - `bad_signature`: the signature does not verify (or is not canonical base64url);
 * - `wrong_issuer`, `wrong_audience`: `iss` or `aud` is not the configured one;
 * - `unknown_key`: no key of the source matches the token's `kid`;
 * - `algorithm_not_allowed`: an algorithm outside the pinned ones (`none`, HS256 without a secret);
 * - `bad_claims`: a claim the service requires is missing or unusable (`exp`, `sub`, `scope`, ...);
 * - `keys_unavailable`: the key set could not be fetched (answered 503, not 401).
 */
export type TokenVerificationResult =
  | "ok"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "unknown_key"
  | "algorithm_not_allowed"
  | "bad_claims"
  | "keys_unavailable";

/** Every result, in the order of `TokenVerificationResult` (for metrics that list them all). */
export const TOKEN_VERIFICATION_RESULTS: readonly TokenVerificationResult[] = [
  "ok",
  "malformed",
  "expired",
  "not_yet_valid",
  "bad_signature",
  "wrong_issuer",
  "wrong_audience",
  "unknown_key",
  "algorithm_not_allowed",
  "bad_claims",
  "keys_unavailable",
];

/** Why verification threw `error`: by the error's class and claim, never by its message. */
export function rejectionResult(error: unknown): TokenVerificationResult {
  if (error instanceof TokenRejected) return error.result;
  if (error instanceof KeySetUnavailable) return "keys_unavailable";
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong_issuer";
    if (error.claim === "aud") return "wrong_audience";
    if (error.claim === "nbf" || error.claim === "iat") return "not_yet_valid";
    return "bad_claims";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown_key";
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm_not_allowed";
  return "malformed";
}
