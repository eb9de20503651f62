import { join } from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { createKeyFileOnce, readKeyFile } from "./key-file.js";
import type { KeySource } from "./key-sources.js";
import { MAX_SUBJECT_LENGTH } from "./service-token-claims.js";
import { epochSeconds } from "./verify-token.js";

/** The file, in the data folder, that keeps the development signing key (a private JWK). */
export const DEVELOPMENT_KEY_FILE = "dev-signing-key.json";

const ALGORITHM = "ES256";
const DEFAULT_TTL_SECONDS = 3600;

/** What `mintToken` puts in a development token. */
export interface DevelopmentTokenClaims {
  sub: string;
  /** Authorized party: set it (different from `sub`) to mint a delegated token. */
  azp?: string;
  /** Space-separated scopes. */
  scope?: string;
  /** Lifetime in seconds. Default 3600. */
  ttlSeconds?: number;
  given_name?: string;
  family_name?: string;
}

/** Development mode: a key of our own, its public half, and a way to mint tokens with it. */
export interface DevelopmentIssuer {
  keySource: KeySource;
  /** The public JWKS to serve at `/.well-known/jwks.json` (no private members). */
  publicJwks: { keys: object[] };
  mintToken(claims: DevelopmentTokenClaims): Promise<string>;
}

export interface DevelopmentIssuerOptions {
  dataDir: string;
  issuer: string | undefined;
  audience: string | undefined;
  clock: () => Date;
}

/**
 * Loads the development key from `dataDir`, creating it on first use, so tokens minted by the CLI
 * and by earlier runs keep verifying. Minted tokens carry the configured `iss`/`aud` so that they
 * pass the same checks as any other token.
 */
export async function loadDevelopmentIssuer(
  options: DevelopmentIssuerOptions,
): Promise<DevelopmentIssuer> {
  const privateJwk = await loadOrCreateKey(options.dataDir);
  const { kty, crv, x, y, kid } = privateJwk;
  const publicJwk = { kty, crv, x, y };
  const privateKey = (await importJWK(privateJwk, ALGORITHM)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, ALGORITHM)) as CryptoKey;
  const publishedKey = Object.freeze({ ...publicJwk, kid, alg: ALGORITHM, use: "sig" });
  const { issuer, audience, clock } = options;
  return {
    keySource: { mode: "development", algorithms: [ALGORITHM], key: publicKey },
    publicJwks: Object.freeze({ keys: Object.freeze([publishedKey]) as object[] }),
    async mintToken(claims) {
      const ttl = claims.ttlSeconds ?? DEFAULT_TTL_SECONDS;
      if (!Number.isSafeInteger(ttl) || ttl <= 0) {
        throw new RangeError("ttlSeconds must be a positive integer");
      }
      if (
        typeof claims.sub !== "string" ||
        claims.sub.length === 0 ||
        claims.sub.length > MAX_SUBJECT_LENGTH
      ) {
        throw new RangeError(`sub must be a string of 1 to ${MAX_SUBJECT_LENGTH} characters`);
      }
      const now = epochSeconds(clock());
      const payload: JWTPayload = { sub: claims.sub, iat: now, exp: now + ttl };
      if (claims.azp !== undefined) payload.azp = claims.azp;
      if (claims.scope !== undefined) payload.scope = claims.scope;
      if (claims.given_name !== undefined) payload.given_name = claims.given_name;
      if (claims.family_name !== undefined) payload.family_name = claims.family_name;
      if (issuer !== undefined) payload.iss = issuer;
      if (audience !== undefined) payload.aud = audience;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: "JWT" })
        .sign(privateKey);
    },
  };
}

interface DevelopmentJwk extends JWK {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  d: string;
  kid: string;
}

async function loadOrCreateKey(dataDir: string): Promise<DevelopmentJwk> {
  const existing = await readDevelopmentKey(join(dataDir, DEVELOPMENT_KEY_FILE));
  if (existing) return existing;
  return createKeyFileOnce(dataDir, DEVELOPMENT_KEY_FILE, await generateKey(), readDevelopmentKey);
}

const readDevelopmentKey = (file: string) =>
  readKeyFile(file, isDevelopmentJwk, {
    invalid: "is not a private EC P-256 JWK with a kid",
    recreate: "create a new key",
  });

function isDevelopmentJwk(value: unknown): value is DevelopmentJwk {
  if (typeof value !== "object" || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return (
    jwk.kty === "EC" &&
    jwk.crv === "P-256" &&
    ["x", "y", "d", "kid"].every((member) => typeof jwk[member] === "string" && jwk[member] !== "")
  );
}

async function generateKey(): Promise<DevelopmentJwk> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const { kty, crv, x, y, d } = await exportJWK(privateKey);
  if (kty !== "EC" || crv !== "P-256" || !x || !y || !d) {
    throw new Error("The generated development key is not an EC P-256 key");
  }
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  return { kty: "EC", crv: "P-256", x, y, d, kid, alg: ALGORITHM, use: "sig" };
}
