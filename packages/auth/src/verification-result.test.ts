// What `onVerification` reports for each way a token ends: a fixed word, by the error's kind.
import { describe, expect, it } from "vitest";
import {
  claims,
  encoder,
  sign,
  T,
  testClock,
  unsigned,
  withBrokenSignature,
} from "../test/support.js";
import { createAuthenticator } from "./authenticator.js";
import type { RequestCredentials } from "./credentials.js";
import type { TokenVerificationResult } from "./verification-result.js";

const SECRET = "a-test-secret-of-at-least-32-bytes!";
const key = encoder.encode(SECRET);
const ISSUER = "https://idp.example";
/** A token of the configured issuer and audience, with `extra` claims over them. */
const signed = (extra: Record<string, unknown>) =>
  sign(key, "HS256", claims({ iss: ISSUER, aud: "teams", ...extra }));

const cases: [TokenVerificationResult, () => Promise<RequestCredentials>][] = [
  ["ok", async () => ({ authorization: `Bearer ${await signed({})}` })],
  ["token_malformed", async () => ({ authorization: "Basic dXNlcjpwYXNz" })],
  ["token_malformed", async () => ({ authorization: "Bearer not-a-jwt" })],
  ["token_expired", async () => ({ authorization: `Bearer ${await signed({ exp: T - 3600 })}` })],
  [
    "token_not_yet_valid",
    async () => ({ authorization: `Bearer ${await signed({ nbf: T + 3600 })}` }),
  ],
  [
    "token_not_yet_valid",
    async () => ({ authorization: `Bearer ${await signed({ iat: T + 3600 })}` }),
  ],
  [
    "bad_signature",
    async () => ({ authorization: `Bearer ${withBrokenSignature(await signed({}))}` }),
  ],
  [
    "bad_signature",
    async () => ({
      authorization: `Bearer ${await sign(encoder.encode(`${SECRET}-other`), "HS256", claims({ iss: ISSUER, aud: "teams" }))}`,
    }),
  ],
  [
    "wrong_issuer",
    async () => ({ authorization: `Bearer ${await signed({ iss: "https://other.example" })}` }),
  ],
  ["wrong_audience", async () => ({ authorization: `Bearer ${await signed({ aud: "other" })}` })],
  ["wrong_algorithm", async () => ({ authorization: `Bearer ${unsigned("none")}` })],
  ["bad_claims", async () => ({ authorization: `Bearer ${await signed({ exp: undefined })}` })],
  ["bad_claims", async () => ({ authorization: `Bearer ${await signed({ scope: 7 })}` })],
];

describe("token verification results", () => {
  it.each(cases)("%s", async (expected, credentials) => {
    const results: TokenVerificationResult[] = [];
    const auth = await createAuthenticator({
      jwtSecret: SECRET,
      issuer: ISSUER,
      audience: "teams",
      clock: testClock().clock,
      onVerification: (result) => results.push(result),
    });
    await auth.authenticate(await credentials()).catch(() => {});
    expect(results).toEqual([expected]);
  });

  it("counts a token the cache remembers as ok, and a request without a credential not at all", async () => {
    const results: TokenVerificationResult[] = [];
    const auth = await createAuthenticator({
      jwtSecret: SECRET,
      clock: testClock().clock,
      onVerification: (result) => results.push(result),
    });
    const authorization = `Bearer ${await signed({})}`;
    await auth.authenticate({ authorization });
    await auth.authenticate({ authorization });
    await auth.authenticate({}).catch(() => {});
    expect(results).toEqual(["ok", "ok"]);
  });
});
