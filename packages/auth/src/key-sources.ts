import { createPublicKey, type KeyObject } from "node:crypto";
import { type CryptoKey, createRemoteJWKSet, errors, importSPKI, type JWTVerifyGetKey } from "jose";
import type { ResolvedAuthOptions } from "./auth-options.js";
import { AuthConfigurationError } from "./configuration-error.js";
import { KeySetUnavailable } from "./token-rejected.js";

/**
 * How the authenticator gets its verification key; "service" when no identity provider's key is
 * configured and development mode is off: only the service's own tokens verify.
 */
export type AuthMode = "secret" | "public-key" | "jwks" | "development" | "service";

/** A verification key (or key resolver) with the only algorithms it may be used with. */
export interface KeySource {
  readonly mode: AuthMode;
  /** Checked by jose before any key is looked up, so `none`, HS256-with-a-public-key and the like never reach a key. */
  readonly algorithms: readonly string[];
  /** Imported once, at start; a resolver in JWKS mode. */
  readonly key: CryptoKey | Uint8Array | JWTVerifyGetKey;
}

/** The asymmetric algorithms DESIGN §2 allows; a given key admits only the one of its type. */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.freeze(["RS256", "ES256", "EdDSA"]);

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;

const SOURCES = [
  ["jwtSecret", "TEAMS_JWT_SECRET"],
  ["publicKeyPem", "TEAMS_JWT_PUBLIC_KEY"],
  ["jwksUrl", "TEAMS_JWKS_URL"],
] as const;

/**
 * The configured key source, or undefined when none is configured (development mode).
 * Several configured is a configuration error: which one wins would be a guess.
 */
export async function configuredKeySource(
  options: ResolvedAuthOptions,
): Promise<KeySource | undefined> {
  const present = SOURCES.filter(([option]) => options[option] !== undefined);
  if (present.length > 1) {
    const names = present.map(([option, variable]) => `${option} (${variable})`).join(", ");
    throw new AuthConfigurationError(
      `Configure exactly one key source: a secret, a PEM public key or a JWKS URL; found ${names}`,
    );
  }
  if (options.jwtSecret !== undefined) return secretKeySource(options.jwtSecret);
  if (options.publicKeyPem !== undefined) return publicKeySource(options.publicKeyPem);
  if (options.jwksUrl !== undefined) return jwksKeySource(options.jwksUrl, options);
  return undefined;
}

/** HS256 with a shared secret; the only mode where a symmetric algorithm is accepted. */
export function secretKeySource(secret: string): KeySource {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new AuthConfigurationError(
      `jwtSecret (TEAMS_JWT_SECRET) must be at least ${MIN_SECRET_BYTES} bytes for HS256`,
    );
  }
  return { mode: "secret", algorithms: ["HS256"], key };
}

/** A PEM SPKI public key; the algorithm is fixed by the key's type. */
export async function publicKeySource(pem: string): Promise<KeySource> {
  const text = pem.replaceAll("\\n", "\n").trim();
  if (!text.startsWith("-----BEGIN PUBLIC KEY-----")) {
    throw new AuthConfigurationError(
      "publicKeyPem (TEAMS_JWT_PUBLIC_KEY) must be a PEM SPKI public key (-----BEGIN PUBLIC KEY-----)",
    );
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey(text);
  } catch {
    throw new AuthConfigurationError(
      "publicKeyPem (TEAMS_JWT_PUBLIC_KEY) could not be read as a PEM public key",
    );
  }
  const algorithm = algorithmOf(keyObject);
  return { mode: "public-key", algorithms: [algorithm], key: await importSPKI(text, algorithm) };
}

function algorithmOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case "rsa":
      if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new AuthConfigurationError(
          `An RSA public key must have at least ${MIN_RSA_BITS} bits`,
        );
      }
      return "RS256";
    case "ec":
      if (details?.namedCurve !== "prime256v1") {
        throw new AuthConfigurationError("An EC public key must be on the P-256 curve (ES256)");
      }
      return "ES256";
    case "ed25519":
      return "EdDSA";
    default:
      throw new AuthConfigurationError(
        `Unsupported public key type ${key.asymmetricKeyType}: use RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)`,
      );
  }
}

/**
 * A remote JWKS, fetched when first needed, kept for `jwksCacheMaxAgeMs`, and refetched when a
 * token names an unknown `kid` (key rotation) at most once per `jwksCooldownMs`. Only this URL is
 * ever fetched: jose ignores `jku` and `x5u`, and `kid` only selects among the fetched keys.
 */
export function jwksKeySource(
  url: string,
  options: Pick<ResolvedAuthOptions, "jwksCooldownMs" | "jwksCacheMaxAgeMs">,
): KeySource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AuthConfigurationError("jwksUrl (TEAMS_JWKS_URL) is not a valid URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new AuthConfigurationError("jwksUrl (TEAMS_JWKS_URL) must be an http(s) URL");
  }
  const remote = createRemoteJWKSet(parsed, {
    cooldownDuration: options.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs,
  });
  const key: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      // These say the token names no usable key; anything else is the key server failing us.
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new KeySetUnavailable("The JSON Web Key Set could not be fetched", { cause: error });
    }
  };
  return { mode: "jwks", algorithms: ASYMMETRIC_ALGORITHMS, key };
}
