import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from "jose";
import type { KeySource } from "./key-sources.js";
import { TokenRejected } from "./token-rejected.js";

/** Seconds of clock skew allowed on `exp` and `nbf` (DESIGN §2). */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** How far in the future `iat` may be, in seconds (DESIGN §2). */
export const MAX_IAT_SKEW_SECONDS = 60;

export interface TokenVerifierOptions {
  /** Required `iss`, when configured. */
  issuer: string | undefined;
  /** Required `aud`, when configured. */
  audience: string | undefined;
}

/** Verifies a compact JWT at a given time; resolves to its claims or rejects. */
export type TokenVerifier = (token: string, now: Date) => Promise<JWTPayload>;

/**
 * A verifier bound to one key source: signature with a pinned algorithm, `exp` required, `iss`/`aud`
 * when configured, `nbf`/`exp` with the tolerance, `iat` not too far in the future.
 */
export function createTokenVerifier(
  source: KeySource,
  options: TokenVerifierOptions,
): TokenVerifier {
  // Built once; each call only adds the current date.
  const base: JWTVerifyOptions = {
    algorithms: [...source.algorithms],
    requiredClaims: ["exp"],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(options.issuer !== undefined && { issuer: options.issuer }),
    ...(options.audience !== undefined && { audience: options.audience }),
  };
  const { key } = source;
  return async (token, now) => {
    // jose decodes the signature leniently (padding, stray bits); one signature, one spelling.
    const signature = token.split(".")[2];
    if (signature !== undefined && !isCanonicalBase64url(signature)) {
      throw new TokenRejected("the signature is not canonical base64url", "bad_signature");
    }
    const verifyOptions: JWTVerifyOptions = { ...base, currentDate: now };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, verifyOptions));
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      payload = await verifyWithCandidates(token, error, verifyOptions);
    }
    // jose checks `iat` only together with a maximum age; DESIGN §2 wants future issue times refused.
    if (typeof payload.iat === "number" && payload.iat > epochSeconds(now) + MAX_IAT_SKEW_SECONDS) {
      throw new TokenRejected('"iat" claim is in the future', "token_not_yet_valid");
    }
    return payload;
  };
}

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** The bits the last character carries beyond the data, by the text's length modulo 4. */
const UNUSED_BITS = [0, -1, 4, 2] as const;

/**
 * Whether `text` is base64url as RFC 7515 §2 writes it: its alphabet only, no padding, and the
 * unused low bits of the last character zero, so no two texts decode to the same bytes.
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!BASE64URL.test(text)) return false;
  const unused = UNUSED_BITS[text.length % 4] ?? -1;
  if (unused < 0) return false;
  if (unused === 0) return true;
  const last = BASE64URL_ALPHABET.indexOf(text.charAt(text.length - 1));
  return (last & ((1 << unused) - 1)) === 0;
}

// A token without `kid` against a JWKS with several keys of its type: try each (bounded by the set).
async function verifyWithCandidates(
  token: string,
  candidates: InstanceType<typeof errors.JWKSMultipleMatchingKeys>,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  for await (const candidate of candidates) {
    try {
      return (await jwtVerify(token, candidate, options)).payload;
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
    }
  }
  throw new errors.JWSSignatureVerificationFailed();
}

/** The time window in which claims verified once stay valid, in epoch seconds: [from, until). */
export function validityWindow(claims: JWTPayload): { from: number; until: number } {
  let from = Number.NEGATIVE_INFINITY;
  if (typeof claims.nbf === "number") from = claims.nbf - CLOCK_TOLERANCE_SECONDS;
  if (typeof claims.iat === "number") from = Math.max(from, claims.iat - MAX_IAT_SKEW_SECONDS);
  // Up to `exp` only, not `exp` + tolerance: a cached entry never outlives the token; inside the
  // tolerance the token is verified afresh, with the same answer.
  return { from, until: typeof claims.exp === "number" ? claims.exp : Number.NEGATIVE_INFINITY };
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
