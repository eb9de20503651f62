import type { NotAuthenticatedReason } from "@teams/core";

/**
 * Why jose refused a token, as the fixed word the request log carries (`reason`): read from its
 * error codes and claim names, never from anything the token itself says. Our own refusals
 * (`TokenRejected`) carry theirs.
 */
export function joseRejectionReason(error: unknown): NotAuthenticatedReason {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "token_expired";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "bad_signature";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return "wrong_algorithm";
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "unknown_key";
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return "token_malformed";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "iss") return "wrong_issuer";
      if (claim === "aud") return "wrong_audience";
      if (claim === "nbf" || claim === "iat") return "token_not_yet_valid";
      return "bad_claims";
    default:
      return "token_malformed";
  }
}
