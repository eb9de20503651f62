import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** The test account: what the provider says of the person who signs in as `olivia`. */
export const ACCOUNT = { sub: "olivia", given_name: "Olivia", family_name: "Quinn" };
export const CLIENT_ID = "teams";
export const CLIENT_SECRET = "a-client-secret-of-the-teams-service";

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`) on a loopback port, with one confidential client whose
 * redirect and post-logout URIs are those of each `publicUrls`, and its development interactions
 * (a login form that takes any name, a consent form), listening on `host` (a loopback address;
 * another one than the service's keeps the two sites' cookies apart in a browser). Every account
 * is `ACCOUNT`'s names under the login typed.
 */
export async function startProvider(
  publicUrls: string[],
  host = "127.0.0.1",
): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: publicUrls.map((url) => `${url}/auth/callback`),
        post_logout_redirect_uris: publicUrls.map((url) => `${url}/auth/signed-out`),
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], profile: ["given_name", "family_name"] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ ...ACCOUNT, sub: id }),
    }),
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ["a-cookie-key-for-the-test-provider"] },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Signs in at the provider as a browser would, without one: follows `authorizationUrl` through the
 * development login (as `login`) and consent forms, keeping the provider's cookies, and returns the
 * URL it finally sends the browser to (the callback, with `code` and `state`).
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const issuerOrigin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(";")[0] ?? "";
      const equals = pair.indexOf("=");
      const [name, value] = [pair.slice(0, equals), pair.slice(equals + 1)];
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== issuerOrigin) return next;
      url = next.href;
      body = undefined;
      continue;
    }
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`unexpected page at ${url}: ${res.status}\n${page}`);
    url = new URL(action, url).href;
    body = new URLSearchParams(
      prompt === "login" ? { prompt, login, password: "any" } : { prompt },
    ).toString();
  }
  throw new Error("the provider never sent the browser back");
}
