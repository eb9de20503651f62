// The service's tokens signed with node:crypto, held to what jose's SignJWT writes and verifies.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signCompactJws } from "./compact-jws.js";
import type { SigningKey } from "./signing-keys.js";

const keyOf = (alg: SigningKey["alg"]): SigningKey => {
  const { privateKey, publicKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("ed25519");
  return { kid: `kid-${alg}`, alg, privateKey, publicKey, publicJwk: {} };
};

const claimSets: Record<string, Record<string, unknown>> = {
  delegated: {
    sub: "athlete-1",
    azp: "coach-1",
    act: { sub: "coach-1" },
    scope: "data:read profile",
    team_id: "team-1",
    jti: "6c8a3f4e-0b1d-4c55-9a57-0f1e8c2b7d10",
    iat: 1_790_000_000,
    exp: 1_790_000_900,
    iss: "https://teams.example",
  },
  "names beyond ASCII": {
    sub: "zoë",
    given_name: "Zoë 🏃",
    family_name: "Ångström \u2028",
    scope: "",
    iat: 1_790_000_000,
    exp: 1_790_000_900,
  },
};

const joseToken = (
  header: { alg: string; kid: string; typ: string },
  claims: object,
  key: KeyObject,
) => new SignJWT({ ...claims }).setProtectedHeader(header).sign(key);

describe.each(["ES256", "EdDSA"] as const)("signCompactJws with %s", (alg) => {
  const key = keyOf(alg);
  const header = { alg, kid: key.kid, typ: "at+jwt" };

  it.each(Object.entries(claimSets))(
    "writes jose's header and payload (%s), and jose verifies it",
    async (_, claims) => {
      const token = signCompactJws(header, claims, key);
      const jose = await joseToken(header, claims, key.privateKey);
      const [head, body, signature] = token.split(".");
      const [joseHead, joseBody] = jose.split(".");
      expect([head, body]).toEqual([joseHead, joseBody]);
      // ES256's JWS signature is r ‖ s, 32 bytes each; Ed25519's is 64 bytes too.
      expect(Buffer.from(signature as string, "base64url")).toHaveLength(64);
      // Ed25519 signs deterministically: the whole token is jose's.
      if (alg === "EdDSA") expect(token).toBe(jose);
      const verified = await jwtVerify(token, key.publicKey, {
        algorithms: [alg],
        currentDate: new Date(1_790_000_100 * 1000),
      });
      expect(verified.payload).toEqual(claims);
      expect(verified.protectedHeader).toEqual(header);
    },
  );

  it("signs what it was given: a token with another payload does not verify", async () => {
    const token = signCompactJws(header, claimSets.delegated as object, key);
    const [head, , signature] = token.split(".");
    const forged = `${head}.${Buffer.from(JSON.stringify({ sub: "someone-else" })).toString("base64url")}.${signature}`;
    await expect(jwtVerify(forged, key.publicKey, { algorithms: [alg] })).rejects.toThrow(
      /signature verification failed/,
    );
  });
});

it("refuses a header whose alg is not the key's", () => {
  const key = keyOf("ES256");
  expect(() => signCompactJws({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" }, {}, key)).toThrow(
    /not the key's/,
  );
});
