import { NotAuthenticated, Unavailable } from "@teams/core";
import { type AuthOptions, resolveAuthOptions } from "./auth-options.js";
import { type RequestCredentials, readCredential } from "./credentials.js";
import { type DevelopmentTokenClaims, loadDevelopmentIssuer } from "./development-issuer.js";
import { type AuthMode, configuredKeySource } from "./key-sources.js";
import { type Authentication, authenticationFromClaims } from "./principal-from-claims.js";
import { createTokenCache } from "./token-cache.js";
import { KeySetUnavailable, safeReason } from "./token-rejected.js";
import { createTokenVerifier, epochSeconds, validityWindow } from "./verify-token.js";

/** The `detail` texts of a 401, as FastAPI says them (DESIGN §3). */
export const authMessages = {
  notAuthenticated: "Not authenticated",
  couldNotValidate: "Could not validate credentials",
} as const;

/** Turns a request's credentials into a principal. */
export interface Authenticator {
  readonly mode: AuthMode;
  /**
   * DESIGN §2 order: `Authorization: Bearer`, then the `refreshed-token` header, then the `token`
   * cookie; the first present wins, with no fallback when it is invalid. With
   * `{ headerOnly: true }` only the `Authorization` header counts (POST/DELETE authorize).
   *
   * Throws `NotAuthenticated("Not authenticated")` when no credential is present,
   * `NotAuthenticated("Could not validate credentials")` when the one present is invalid (including
   * an `Authorization` header with another scheme, such as Basic, or an empty bearer), and
   * `Unavailable` when the JWKS cannot be fetched. Messages never contain the token.
   */
  authenticate(
    credentials: RequestCredentials,
    options?: { headerOnly?: boolean },
  ): Promise<Authentication>;
  /** Development mode only: the public JWKS to serve at `/.well-known/jwks.json`. */
  readonly publicJwks?: { keys: object[] };
  /** Development mode only: mints a token signed with the development key. */
  mintToken?(claims: DevelopmentTokenClaims): Promise<string>;
}

/**
 * Builds the authenticator for the configured key source: exactly one of `jwtSecret`,
 * `publicKeyPem` and `jwksUrl`, or none for development mode (an ES256 key kept in `dataDir`).
 * Keys are imported here, once. Throws `AuthConfigurationError` for unusable options.
 */
export async function createAuthenticator(options: AuthOptions): Promise<Authenticator> {
  const resolved = resolveAuthOptions(options);
  const { clock, issuer, audience } = resolved;
  const configured = await configuredKeySource(resolved);
  const development = configured
    ? undefined
    : await loadDevelopmentIssuer({ dataDir: resolved.dataDir, issuer, audience, clock });
  const source = configured ?? development?.keySource;
  if (!source) throw new Error("unreachable: no key source");

  const verify = createTokenVerifier(source, { issuer, audience });
  const cache = createTokenCache(resolved.cacheSize);

  async function authenticate(
    credentials: RequestCredentials,
    authenticateOptions?: { headerOnly?: boolean },
  ): Promise<Authentication> {
    const found = readCredential(credentials, authenticateOptions?.headerOnly === true);
    if (found.kind === "absent") throw new NotAuthenticated(authMessages.notAuthenticated);
    if (found.kind === "malformed") {
      throw new NotAuthenticated(authMessages.couldNotValidate, {
        cause: new Error("not a Bearer credential"),
      });
    }
    const now = clock();
    const nowSeconds = epochSeconds(now);
    const cached = cache?.get(found.token, nowSeconds);
    if (cached) return cached;
    try {
      const claims = await verify(found.token, now);
      const authentication = authenticationFromClaims(claims);
      cache?.set(found.token, { authentication, ...validityWindow(claims) }, nowSeconds);
      return authentication;
    } catch (error) {
      if (error instanceof KeySetUnavailable) {
        throw new Unavailable("The token signing keys are unavailable", 5, { cause: error });
      }
      // The cause says why, for logs, without quoting the token.
      throw new NotAuthenticated(authMessages.couldNotValidate, { cause: safeReason(error) });
    }
  }

  return {
    mode: source.mode,
    authenticate,
    ...(development && {
      publicJwks: development.publicJwks,
      mintToken: development.mintToken,
    }),
  };
}
