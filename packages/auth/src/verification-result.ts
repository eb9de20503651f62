import { KeySetUnavailable, safeReason } from "./token-rejected.js";

/**
 * How checking one presented credential ended, a fixed word for metrics (never the token, nor a
 * message): `ok`, `keys_unavailable` (the key set could not be fetched: answered 503, not 401), or
 * the refusal's reason as the request log writes it (`NotAuthenticatedReason`):
 * - `token_malformed`: not a JWT that can be read;
 * - `token_expired`: past its `exp` (with the clock tolerance);
 * - `token_not_yet_valid`: before its `nbf`, or an `iat` too far in the future;
 * - `bad_signature`: the signature does not verify (or is not canonical base64url);
 * - `wrong_algorithm`: an algorithm outside the pinned ones (`none`, HS256 without a secret);
 * - `wrong_issuer`, `wrong_audience`: `iss` or `aud` is not the configured one;
 * - `unknown_key`: no key of the source matches the token's `kid`;
 * - `bad_claims`: a claim the service requires is missing or unusable (`exp`, `sub`, `scope`, ...).
 */
export type TokenVerificationResult = (typeof TOKEN_VERIFICATION_RESULTS)[number];

/** Every result (for metrics that list them all). */
export const TOKEN_VERIFICATION_RESULTS = [
  "ok",
  "token_malformed",
  "token_expired",
  "token_not_yet_valid",
  "bad_signature",
  "wrong_algorithm",
  "wrong_issuer",
  "wrong_audience",
  "unknown_key",
  "bad_claims",
  "keys_unavailable",
] as const;

const results: ReadonlySet<string> = new Set(TOKEN_VERIFICATION_RESULTS);

/**
 * Why verification threw `error`: the same reason the request log writes (`safeReason`, by the
 * error's class and claim, never by its message); a reason beyond verification is `bad_claims`.
 */
export function rejectionResult(error: unknown): TokenVerificationResult {
  if (error instanceof KeySetUnavailable) return "keys_unavailable";
  const { reason } = safeReason(error);
  return results.has(reason) ? (reason as TokenVerificationResult) : "bad_claims";
}
