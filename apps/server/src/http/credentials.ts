import type { RequestCredentials } from "@teams/auth";

/** The three places a credential may be (DESIGN §2), as the authenticator reads them. */
export function requestCredentials(headers: Headers): RequestCredentials {
  return {
    authorization: headers.get("authorization"),
    refreshedToken: headers.get("refreshed-token"),
    cookie: headers.get("cookie"),
  };
}
