import { NotAuthenticated, Unavailable } from "@teams/core";
import { decodeJwt } from "jose";
import { type AuthOptions, resolveAuthOptions } from "./auth-options.js";
import { AuthConfigurationError } from "./configuration-error.js";
import { type RequestCredentials, readCredential } from "./credentials.js";
import { type DevelopmentTokenClaims, loadDevelopmentIssuer } from "./development-issuer.js";
import { type AuthMode, configuredKeySource } from "./key-sources.js";
import { type Authentication, authenticationFromClaims } from "./principal-from-claims.js";
import {
  createServiceTokens,
  type IssuedToken,
  type ServiceTokenRequest,
} from "./service-tokens.js";
import { loadSigningKeys } from "./signing-keys.js";
import { createTokenCache } from "./token-cache.js";
import { KeySetUnavailable, safeReason, TokenRejected } from "./token-rejected.js";
import { rejectionResult } from "./verification-result.js";
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
  /** The service's public keys (current, and previous within its grace), and in development mode
   *  the development key too: what `/.well-known/jwks.json` serves, in every mode. */
  readonly publicJwks: { keys: object[] };
  /** The `iss` of the tokens the service signs (`serviceIssuer`, i.e. TEAMS_PUBLIC_URL). */
  readonly serviceIssuer: string;
  /**
   * Signs an access token of the service. Rejects with a `RangeError` for a request the rules do
   * not allow (a lifetime beyond `maxTokenTtlSeconds`, an actor on a non-delegated token, ...) and
   * with an `AuthConfigurationError` when no `serviceIssuer` was configured.
   */
  issueToken(request: ServiceTokenRequest): Promise<IssuedToken>;
  /** Development mode only: mints a token signed with the development key. */
  mintToken?(claims: DevelopmentTokenClaims): Promise<string>;
}

/**
 * Builds the authenticator for the configured key source: exactly one of `jwtSecret`,
 * `publicKeyPem` and `jwksUrl`, or none for development mode (an ES256 key kept in `dataDir`), or
 * none at all with `developmentMode: false` (only the service's own tokens verify);
 * with `serviceIssuer`, also the service's own signing keys (`signingKeyPem`, or kept in
 * `dataDir`). A token whose `iss` is the service issuer is verified with the service's keys only,
 * every other token with the configured source only. Keys are imported here, once. Throws
 * `AuthConfigurationError` for unusable options.
 */
export async function createAuthenticator(options: AuthOptions): Promise<Authenticator> {
  const resolved = resolveAuthOptions(options);
  const { clock, issuer, audience } = resolved;
  const configured = await configuredKeySource(resolved);
  const development =
    configured || !resolved.developmentMode
      ? undefined
      : await loadDevelopmentIssuer({ dataDir: resolved.dataDir, issuer, audience, clock });
  const source = configured ?? development?.keySource;

  const { serviceIssuer, externalAzp } = resolved;
  const service =
    serviceIssuer === undefined
      ? undefined
      : createServiceTokens({
          keys: await loadSigningKeys(resolved),
          // A key given as a PEM changes only with the configuration; the key file may be rotated.
          ...(resolved.signingKeyPem === undefined && { reload: () => loadSigningKeys(resolved) }),
          ...(options.onSigningKeyChange && { onKeyChange: options.onSigningKeyChange }),
          serviceIssuer,
          audience,
          clock,
          maxTokenTtlSeconds: resolved.maxTokenTtlSeconds,
        });
  const verifyConfigured = source
    ? createTokenVerifier(source, { issuer, audience })
    : () => Promise.reject(new TokenRejected("no identity provider's key is configured"));
  const configuredIssuer = source?.mode === "development" ? "development" : "external";
  const cache = createTokenCache(resolved.cacheSize);
  const report = options.onVerification ?? (() => {});

  // The verifier is chosen by the unverified `iss` alone; its answer is final (no fallback).
  async function verify(
    token: string,
    now: Date,
  ): Promise<{ authentication: Authentication; from: number; until: number }> {
    if (service && issuerOf(token) === serviceIssuer) {
      const { claims, keyUntil } = await service.verify(token, now);
      const authentication = authenticationFromClaims(claims, "service", externalAzp);
      const window = validityWindow(claims);
      // A rotated-out key's tokens are not served from the cache past the key's grace.
      return { authentication, from: window.from, until: Math.min(window.until, keyUntil) };
    }
    const claims = await verifyConfigured(token, now);
    const authentication = authenticationFromClaims(claims, configuredIssuer, externalAzp);
    return { authentication, ...validityWindow(claims) };
  }

  async function authenticate(
    credentials: RequestCredentials,
    authenticateOptions?: { headerOnly?: boolean },
  ): Promise<Authentication> {
    const found = readCredential(credentials, authenticateOptions?.headerOnly === true);
    if (found.kind === "absent")
      throw new NotAuthenticated(authMessages.notAuthenticated, { reason: "token_missing" });
    if (found.kind === "malformed") {
      report("token_malformed");
      throw new NotAuthenticated(authMessages.couldNotValidate, {
        reason: "token_malformed",
        cause: new Error("not a Bearer credential"),
      });
    }
    const now = clock();
    const nowSeconds = epochSeconds(now);
    const cached = cache?.get(found.token, nowSeconds);
    if (cached) {
      report("ok");
      return cached;
    }
    try {
      const entry = await verify(found.token, now);
      cache?.set(found.token, entry, nowSeconds);
      report("ok");
      return entry.authentication;
    } catch (error) {
      report(rejectionResult(error));
      if (error instanceof KeySetUnavailable) {
        throw new Unavailable("The token signing keys are unavailable", 5, { cause: error });
      }
      // The cause says why, for logs, without quoting the token.
      const cause = safeReason(error);
      throw new NotAuthenticated(authMessages.couldNotValidate, { reason: cause.reason, cause });
    }
  }

  const developmentKeys = development?.publicJwks.keys ?? [];
  return {
    mode: source?.mode ?? "service",
    authenticate,
    get publicJwks() {
      // Computed when asked: a previous key leaves the set when its grace ends.
      return { keys: [...(service?.publicJwks(clock()) ?? []), ...developmentKeys] };
    },
    serviceIssuer: serviceIssuer ?? "",
    issueToken(request) {
      if (!service) {
        return Promise.reject(
          new AuthConfigurationError("issueToken needs a serviceIssuer (TEAMS_PUBLIC_URL)"),
        );
      }
      return service.issue(request);
    },
    ...(development && { mintToken: development.mintToken }),
  };
}

/** The `iss` a token claims, before any check; undefined when it cannot be read. */
function issuerOf(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}
