// authenticate(): which credential is used (DESIGN §2), and the two 401 answers.
import { NotAuthenticated } from "@teams/core";
import { beforeAll, describe, expect, it } from "vitest";
import { caught, claims, encoder, errorText, sign, testClock } from "../test/support.js";
import { type Authenticator, authMessages, createAuthenticator } from "./authenticator.js";
import type { RequestCredentials } from "./credentials.js";

const SECRET = "a-test-secret-of-at-least-32-bytes!";
const NOT_AUTHENTICATED = "Not authenticated";
const INVALID = "Could not validate credentials";

let auth: Authenticator;
const tokens: Record<"header" | "refreshed" | "cookie" | "invalid", string> = {
  header: "",
  refreshed: "",
  cookie: "",
  invalid: "",
};

beforeAll(async () => {
  auth = await createAuthenticator({ jwtSecret: SECRET, clock: testClock().clock });
  const key = encoder.encode(SECRET);
  tokens.header = await sign(key, "HS256", claims({ sub: "from-header" }));
  tokens.refreshed = await sign(key, "HS256", claims({ sub: "from-refreshed" }));
  tokens.cookie = await sign(key, "HS256", claims({ sub: "from-cookie" }));
  tokens.invalid = await sign(encoder.encode(`${SECRET}-wrong`), "HS256", claims({ sub: "x" }));
});

type Case = [string, () => RequestCredentials, string, { headerOnly?: boolean }?];

const cases: Case[] = [
  ["header only", () => ({ authorization: `Bearer ${tokens.header}` }), "from-header"],
  ["refreshed-token only", () => ({ refreshedToken: tokens.refreshed }), "from-refreshed"],
  ["cookie only", () => ({ cookie: `theme=dark; token=${tokens.cookie}` }), "from-cookie"],
  ["quoted cookie", () => ({ cookie: `token="${tokens.cookie}"` }), "from-cookie"],
  [
    "header beats refreshed-token beats cookie",
    () => ({
      authorization: `Bearer ${tokens.header}`,
      refreshedToken: tokens.refreshed,
      cookie: `token=${tokens.cookie}`,
    }),
    "from-header",
  ],
  [
    "refreshed-token beats cookie",
    () => ({ refreshedToken: tokens.refreshed, cookie: `token=${tokens.cookie}` }),
    "from-refreshed",
  ],
  [
    "an invalid header never falls back to a valid cookie",
    () => ({ authorization: `Bearer ${tokens.invalid}`, cookie: `token=${tokens.cookie}` }),
    INVALID,
  ],
  [
    "an invalid header never falls back to a valid refreshed-token",
    () => ({ authorization: `Bearer ${tokens.invalid}`, refreshedToken: tokens.refreshed }),
    INVALID,
  ],
  [
    "an invalid refreshed-token never falls back to a valid cookie",
    () => ({ refreshedToken: tokens.invalid, cookie: `token=${tokens.cookie}` }),
    INVALID,
  ],
  ["an invalid cookie", () => ({ cookie: `token=${tokens.invalid}` }), INVALID],
  [
    "a Basic header (even with a valid cookie)",
    () => ({ authorization: "Basic dXNlcjpwYXNz", cookie: `token=${tokens.cookie}` }),
    INVALID,
  ],
  ["an empty bearer", () => ({ authorization: "Bearer" }), INVALID],
  ["an empty bearer with a space", () => ({ authorization: "Bearer " }), INVALID],
  ["the token without a scheme", () => ({ authorization: tokens.header }), INVALID],
  ["lowercase bearer", () => ({ authorization: `bearer ${tokens.header}` }), "from-header"],
  ["uppercase bearer", () => ({ authorization: `BEARER ${tokens.header}` }), "from-header"],
  ["no credentials", () => ({}), NOT_AUTHENTICATED],
  ["only other cookies", () => ({ cookie: "session=abc" }), NOT_AUTHENTICATED],
  [
    "headerOnly: the cookie is ignored",
    () => ({ cookie: `token=${tokens.cookie}` }),
    NOT_AUTHENTICATED,
    { headerOnly: true },
  ],
  [
    "headerOnly: the refreshed-token is ignored",
    () => ({ refreshedToken: tokens.refreshed }),
    NOT_AUTHENTICATED,
    { headerOnly: true },
  ],
  [
    "headerOnly: the header is used",
    () => ({ authorization: `Bearer ${tokens.header}`, cookie: `token=${tokens.cookie}` }),
    "from-header",
    { headerOnly: true },
  ],
  [
    "headerOnly: a Basic header",
    () => ({ authorization: "Basic dXNlcjpwYXNz" }),
    INVALID,
    { headerOnly: true },
  ],
];

describe("authenticate", () => {
  it.each(cases)("%s → %s", async (_, credentials, expected, options) => {
    const request = credentials();
    if (expected !== INVALID && expected !== NOT_AUTHENTICATED) {
      const { principal } = await auth.authenticate(request, options);
      expect(principal.userId).toBe(expected);
      return;
    }
    const error = await caught(auth.authenticate(request, options));
    expect(error).toBeInstanceOf(NotAuthenticated);
    expect((error as NotAuthenticated).kind).toBe("not_authenticated");
    expect(error.message).toBe(expected);
    const text = errorText(error);
    for (const token of Object.values(tokens)) expect(text).not.toContain(token);
  });

  it("exports the two messages", () => {
    expect(authMessages).toEqual({
      notAuthenticated: NOT_AUTHENTICATED,
      couldNotValidate: INVALID,
    });
  });

  it("gives the reason as the cause, for logs", async () => {
    const error = await caught(auth.authenticate({ authorization: `Bearer ${tokens.invalid}` }));
    expect(String((error.cause as Error).message)).toContain(
      "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    );
  });

  it("a URL-encoded cookie", async () => {
    const cookie = `token=${encodeURIComponent(tokens.cookie).replaceAll(".", "%2E")}`;
    expect((await auth.authenticate({ cookie })).principal.userId).toBe("from-cookie");
  });
});
