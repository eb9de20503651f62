/** The authentication options are unusable; thrown by `createAuthenticator`, never per request. */
export class AuthConfigurationError extends Error {
  override readonly name = "AuthConfigurationError";
}
