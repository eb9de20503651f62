import * as client from "openid-client";
import { isLoopbackHost } from "../loopback.js";
import { CALLBACK_PATH, type LoginState } from "./login-state.js";

/** Where the pages sign people in: the operator's OpenID Connect provider (DESIGN §2). */
export interface OidcSettings {
  /** TEAMS_OIDC_ISSUER: the provider's issuer URL, discovered at its `.well-known/openid-configuration`. */
  issuer: string;
  /** TEAMS_OIDC_CLIENT_ID. */
  clientId: string;
  /** TEAMS_OIDC_CLIENT_SECRET, sent with HTTP Basic; absent for a public client (PKCE alone). */
  clientSecret?: string | undefined;
  /** TEAMS_PUBLIC_URL: the redirect URI is `<publicUrl>/auth/callback`. */
  publicUrl: string;
}

/** Who the provider vouches for after a completed sign-in. */
export interface SignedInPerson {
  sub: string;
  givenName: string | undefined;
  familyName: string | undefined;
  /** For `id_token_hint` at sign-out. */
  idToken: string | undefined;
}

/** A callback that signs nobody in: its words for the person (never a token or a code). */
export class SignInFailed extends Error {
  override readonly name = "SignInFailed";
}

/** The provider cannot be reached (discovery or the token request failed on the network). */
export class ProviderUnavailable extends Error {
  override readonly name = "ProviderUnavailable";
}

export interface OidcClient {
  /** The provider's origin: the pages' forms may lead there (sign-out goes on to its end session). */
  readonly providerOrigin: string;
  /** Where post-logout redirects land: `<publicUrl>/auth/signed-out`. */
  readonly postLogoutRedirectUri: string;
  /** A new sign-in: the provider's authorization URL and the state to keep until the callback. */
  begin(
    returnTo: string,
    options?: { fresh?: boolean },
  ): Promise<{ url: string; login: LoginState }>;
  /** The person of a callback (`callback` its URL as received), checked against `login`. */
  finish(callback: URL, login: LoginState): Promise<SignedInPerson>;
  /** The provider's sign-out URL, when it publishes an `end_session_endpoint`. */
  endSessionUrl(
    idToken: string | undefined,
    state: string | undefined,
  ): Promise<string | undefined>;
}

export const SIGNED_OUT_PATH = "/auth/signed-out";

/**
 * The relying party, with `openid-client`: authorization code with PKCE (S256), `state` and
 * `nonce`, scopes `openid profile`. The provider's metadata is discovered on first use and kept;
 * a failed discovery is tried again on the next sign-in, so the API starts without the provider.
 */
export function createOidcClient(settings: OidcSettings): OidcClient {
  const redirectUri = `${settings.publicUrl}${CALLBACK_PATH}`;
  const issuer = new URL(settings.issuer);
  // Plain http only to a provider on this machine (tests, a local Keycloak): config refuses others.
  const insecure = issuer.protocol === "http:" && isLoopbackHost(issuer.hostname);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        issuer,
        settings.clientId,
        { redirect_uris: [redirectUri], response_types: ["code"] },
        settings.clientSecret === undefined
          ? client.None()
          : client.ClientSecretBasic(settings.clientSecret),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw new ProviderUnavailable(`the provider's configuration cannot be read`, {
          cause: error,
        });
      });
    return discovered;
  };

  return {
    providerOrigin: issuer.origin,
    postLogoutRedirectUri: `${settings.publicUrl}${SIGNED_OUT_PATH}`,

    async begin(returnTo, options) {
      const config = await configuration();
      const login: LoginState = {
        state: client.randomState(),
        codeVerifier: client.randomPKCECodeVerifier(),
        nonce: client.randomNonce(),
        returnTo,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: "openid profile",
        code_challenge: await client.calculatePKCECodeChallenge(login.codeVerifier),
        code_challenge_method: "S256",
        state: login.state,
        nonce: login.nonce,
        // "Not you?": the provider must ask who signs in, not pass its own session on silently.
        ...(options?.fresh ? { prompt: "login" } : {}),
      });
      return { url: url.href, login };
    },

    async finish(callback, login) {
      const config = await configuration();
      // The redirect URI sent to the token endpoint is `callback` without its query, so `callback`
      // must be built on TEAMS_PUBLIC_URL, as `redirectUri` is.
      const error = callback.searchParams.get("error");
      if (error !== null) {
        // The provider's own words are shown only as a code: they are not ours to vouch for.
        throw new SignInFailed(`The sign-in service answered: ${error.slice(0, 100)}.`);
      }
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
      } catch (cause) {
        // A fetch that failed is a TypeError without a code; openid-client's own have one.
        if (cause instanceof TypeError && (cause as { code?: unknown }).code === undefined) {
          throw new ProviderUnavailable("the provider cannot be reached", { cause });
        }
        throw new SignInFailed("The sign-in answer could not be checked.", { cause });
      }
      const claims = tokens.claims();
      if (!claims) throw new SignInFailed("The sign-in service said nobody's name.");
      let { given_name: givenName, family_name: familyName } = claims;
      // Many providers put names in the ID token (Keycloak); others only at the userinfo endpoint.
      if (
        givenName === undefined &&
        familyName === undefined &&
        config.serverMetadata().userinfo_endpoint
      ) {
        const info = await client
          .fetchUserInfo(config, tokens.access_token, claims.sub)
          .catch(() => undefined);
        givenName = info?.given_name;
        familyName = info?.family_name;
      }
      return {
        sub: claims.sub,
        givenName: typeof givenName === "string" ? givenName : undefined,
        familyName: typeof familyName === "string" ? familyName : undefined,
        idToken: tokens.id_token,
      };
    },

    async endSessionUrl(idToken, state) {
      const config = await configuration().catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: `${settings.publicUrl}${SIGNED_OUT_PATH}`,
        ...(idToken ? { id_token_hint: idToken } : { client_id: settings.clientId }),
        ...(state ? { state } : {}),
      }).href;
    },
  };
}
