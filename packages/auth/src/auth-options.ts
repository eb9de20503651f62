import { AuthConfigurationError } from "./configuration-error.js";
import type { TokenVerificationResult } from "./verification-result.js";

/** How `createAuthenticator` finds its keys and checks tokens (DESIGN §2; variable names from §5). */
export interface AuthOptions {
  /**
   * HS256 shared secret (`TEAMS_JWT_SECRET`), at least 32 bytes (RFC 7518 §3.2). Only HS256 is
   * accepted with it. Default: none.
   */
  jwtSecret?: string;
  /**
   * PEM SPKI public key (`TEAMS_JWT_PUBLIC_KEY`); the algorithm follows from the key type: RS256
   * (RSA), ES256 (EC P-256) or EdDSA (Ed25519). Literal `\n` sequences are read as line breaks, as
   * environment variables often carry them. Default: none.
   */
  publicKeyPem?: string;
  /**
   * JWKS URL (`TEAMS_JWKS_URL`, http or https), fetched with caching and refetched on an unknown
   * `kid` (rotation), with a cooldown. The only URL this package ever fetches. Default: none.
   */
  jwksUrl?: string;
  /** Required `iss` (`TEAMS_JWT_ISSUER`). Default: not checked. */
  issuer?: string;
  /** Required `aud` (`TEAMS_JWT_AUDIENCE`). Default: not checked. */
  audience?: string;
  /**
   * How an external issuer's `azp` is read (`TEAMS_EXTERNAL_AZP`, DESIGN §2): `"client"`, an OAuth
   * client id as OpenID Connect defines it, which never makes a token delegated (only `act.sub`
   * does); `"actor"`, the acting user, for an issuer that mints the reference's own tokens.
   * Tokens the service or development mode signs always read `azp` as the acting user.
   * Default `"client"`.
   */
  externalAzp?: "client" | "actor";
  /**
   * The `iss` of the tokens the service signs (the server passes `TEAMS_PUBLIC_URL`), an http(s)
   * origin. Without it the service has no keys of its own: `issueToken` refuses and only the
   * configured source (or development key) verifies. Default: none.
   */
  serviceIssuer?: string;
  /**
   * The service's signing key (`TEAMS_SIGNING_KEY`), a PKCS#8 PEM private key: EC P-256 (ES256) or
   * Ed25519 (EdDSA); literal `\n` sequences are read as line breaks. Nothing is written then.
   * Default: a key kept in `dataDir` (`signing-keys.json`), created on first start.
   */
  signingKeyPem?: string;
  /**
   * Called with the new `kid` when a running service picks up a rotated signing key from the key
   * file (`teams keys rotate` in another process), for the log. Default: none.
   */
  onSigningKeyChange?: (kid: string) => void;
  /**
   * The longest a service token lives, in seconds: `issueToken` refuses longer lifetimes, and a
   * rotated-out key keeps verifying this long after its retirement (the rotation grace).
   * Default 28800 (8 hours).
   */
  maxTokenTtlSeconds?: number;
  /**
   * Whether, with no key source configured, to run in development mode (an ES256 key of its own
   * that `mintToken` signs with). `false`: no development key; only the service's own tokens
   * (`serviceIssuer`) verify, every other token is refused (mode "service"), e.g. when people sign
   * in through an OpenID Connect provider whose tokens the API need not accept. Default `true`.
   */
  developmentMode?: boolean;
  /** Folder where development mode keeps its ES256 key, and the service its signing keys. Default `"./data"`. */
  dataDir?: string;
  /** Clock for verification. Default `() => new Date()`. */
  clock?: () => Date;
  /**
   * How many verified tokens to remember (keyed by the token string, oldest evicted first). A hit
   * still checks the token's time claims against the clock. `0` disables the cache. Default 10000.
   */
  cacheSize?: number;
  /**
   * JWKS mode: the shortest time between two fetches triggered by an unknown `kid`, in
   * milliseconds, so that made-up key ids cannot make us hammer the key server. Default 30000.
   */
  jwksCooldownMs?: number;
  /** JWKS mode: how long a fetched key set is used before it is fetched again, in ms. Default 600000. */
  jwksCacheMaxAgeMs?: number;
  /**
   * Told how checking each presented credential ended (`ok` or why it was refused, a fixed word),
   * for metrics; a token remembered by the cache counts as `ok`. A request with no credential
   * reports nothing. Called synchronously; must not throw. Default: none.
   */
  onVerification?: (result: TokenVerificationResult) => void;
}

export const DEFAULT_DATA_DIR = "./data";
export const DEFAULT_CACHE_SIZE = 10_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 28_800;

/** The options after defaults and checks; what the rest of the package reads. */
export interface ResolvedAuthOptions {
  jwtSecret: string | undefined;
  publicKeyPem: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  externalAzp: "client" | "actor";
  serviceIssuer: string | undefined;
  signingKeyPem: string | undefined;
  maxTokenTtlSeconds: number;
  developmentMode: boolean;
  dataDir: string;
  clock: () => Date;
  cacheSize: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
}

/** Applies the defaults; throws `AuthConfigurationError` for values that cannot work. */
export function resolveAuthOptions(options: AuthOptions): ResolvedAuthOptions {
  const clock = options.clock ?? (() => new Date());
  if (typeof clock !== "function") throw new AuthConfigurationError("clock must be a function");
  const externalAzp = options.externalAzp ?? "client";
  if (externalAzp !== "client" && externalAzp !== "actor") {
    throw new AuthConfigurationError(
      'externalAzp (TEAMS_EXTERNAL_AZP) must be "client" or "actor"',
    );
  }
  const issuer = optionalText(options.issuer, "issuer (TEAMS_JWT_ISSUER)");
  const serviceIssuer = origin(optionalText(options.serviceIssuer, "serviceIssuer"));
  // Which key verifies a token is chosen by its `iss`: one issuer cannot be both.
  if (
    serviceIssuer !== undefined &&
    issuer !== undefined &&
    origin(issuer, false) === serviceIssuer
  ) {
    throw new AuthConfigurationError(
      "issuer (TEAMS_JWT_ISSUER) is the service's own issuer (TEAMS_PUBLIC_URL): the identity provider must have another",
    );
  }
  const signingKeyPem = optionalText(options.signingKeyPem, "signingKeyPem (TEAMS_SIGNING_KEY)");
  if (signingKeyPem !== undefined && serviceIssuer === undefined) {
    throw new AuthConfigurationError("signingKeyPem (TEAMS_SIGNING_KEY) needs a serviceIssuer");
  }
  const maxTokenTtlSeconds = count(
    options.maxTokenTtlSeconds,
    "maxTokenTtlSeconds",
    DEFAULT_MAX_TOKEN_TTL_SECONDS,
  );
  if (options.developmentMode === false && serviceIssuer === undefined) {
    const configured = options.jwtSecret ?? options.publicKeyPem ?? options.jwksUrl;
    if (configured === undefined) {
      throw new AuthConfigurationError(
        "developmentMode false with no key source needs a serviceIssuer: no token could verify",
      );
    }
  }
  if (maxTokenTtlSeconds === 0) {
    throw new AuthConfigurationError("maxTokenTtlSeconds must be a positive integer");
  }
  return {
    jwtSecret: optionalText(options.jwtSecret, "jwtSecret (TEAMS_JWT_SECRET)"),
    publicKeyPem: optionalText(options.publicKeyPem, "publicKeyPem (TEAMS_JWT_PUBLIC_KEY)"),
    jwksUrl: optionalText(options.jwksUrl, "jwksUrl (TEAMS_JWKS_URL)"),
    issuer,
    audience: optionalText(options.audience, "audience (TEAMS_JWT_AUDIENCE)"),
    externalAzp,
    serviceIssuer,
    signingKeyPem,
    maxTokenTtlSeconds,
    developmentMode: options.developmentMode ?? true,
    dataDir: optionalText(options.dataDir, "dataDir") ?? DEFAULT_DATA_DIR,
    clock,
    cacheSize: count(options.cacheSize, "cacheSize", DEFAULT_CACHE_SIZE),
    jwksCooldownMs: count(options.jwksCooldownMs, "jwksCooldownMs", DEFAULT_JWKS_COOLDOWN_MS),
    jwksCacheMaxAgeMs: count(
      options.jwksCacheMaxAgeMs,
      "jwksCacheMaxAgeMs",
      DEFAULT_JWKS_CACHE_MAX_AGE_MS,
    ),
  };
}

// An empty value is refused rather than read as "not configured": an empty TEAMS_JWT_SECRET
// silently switching the server to development mode would be a surprise. Hosts map "" to undefined
// themselves if they want that.
function optionalText(value: string | null | undefined, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new AuthConfigurationError(`${name} is set but empty; leave it unset or give a value`);
  }
  return value;
}

/**
 * An http(s) origin as `iss` carries it (no trailing slash). With `strict`, anything else is a
 * configuration error; without, a value that is no origin is returned as given.
 */
function origin(value: string | undefined, strict = true): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  const isOrigin =
    parsed !== undefined &&
    (parsed.protocol === "https:" || parsed.protocol === "http:") &&
    parsed.pathname === "/" &&
    !parsed.search &&
    !parsed.hash &&
    !parsed.username &&
    !parsed.password;
  if (isOrigin && parsed) return parsed.origin;
  if (strict) {
    throw new AuthConfigurationError(
      "serviceIssuer (TEAMS_PUBLIC_URL) must be an http(s) origin like https://teams.example",
    );
  }
  return value;
}

function count(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AuthConfigurationError(`${name} must be a non-negative integer`);
  }
  return value;
}
