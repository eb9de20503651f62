// @teams/auth: credentials -> principal. The curated public surface; anything else is internal.

export type { AuthOptions } from "./auth-options.js";
export {
  type Authenticator,
  authMessages,
  createAuthenticator,
} from "./authenticator.js";
export { AuthConfigurationError } from "./configuration-error.js";
export {
  type CredentialLookup,
  type CredentialSource,
  type RequestCredentials,
  readCredential,
} from "./credentials.js";
export { DEVELOPMENT_KEY_FILE, type DevelopmentTokenClaims } from "./development-issuer.js";
export type { AuthMode } from "./key-sources.js";
export type { Authentication } from "./principal-from-claims.js";
export type { ExternalAzp, ServiceTokenKind, TokenIssuer } from "./service-token-claims.js";
export type { IssuedToken, ServiceTokenRequest } from "./service-tokens.js";
export { rotateSigningKeys, SIGNING_KEYS_FILE } from "./signing-keys.js";
export {
  TOKEN_VERIFICATION_RESULTS,
  type TokenVerificationResult,
} from "./verification-result.js";
