// Verification through the public API in the secret and PEM modes: pinned algorithms, tampering,
// time claims, issuer and audience, subject rules, and headers that must never make us fetch.
import { createPublicKey } from "node:crypto";
import { NotAuthenticated } from "@teams/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  caught,
  claims,
  encoder,
  errorText,
  makeKey,
  sign,
  signRaw,
  startListener,
  T,
  type TestKey,
  testClock,
  unsigned,
  withBrokenSignature,
  withPayload,
} from "../test/support.js";
import type { AuthOptions } from "./auth-options.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";

const SECRET = "a-test-secret-of-at-least-32-bytes!";
const NONE_VARIANTS = ["none", "None", "NONE", "nOnE"];

let rsa: TestKey;
let p256: TestKey;
let ed25519: TestKey;
let otherRsa: TestKey;
let otherP256: TestKey;
let otherEd25519: TestKey;

beforeAll(() => {
  rsa = makeKey.rsa();
  p256 = makeKey.p256();
  ed25519 = makeKey.ed25519();
  otherRsa = makeKey.rsa();
  otherP256 = makeKey.p256();
  otherEd25519 = makeKey.ed25519();
});

function authenticator(options: AuthOptions): Promise<Authenticator> {
  return createAuthenticator({ clock: testClock().clock, ...options });
}

async function accepts(auth: Authenticator, token: string) {
  return (await auth.authenticate({ authorization: `Bearer ${token}` })).principal;
}

async function refuses(auth: Authenticator, token: string, reason?: string) {
  const error = await caught(auth.authenticate({ authorization: `Bearer ${token}` }));
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error.message).toBe("Could not validate credentials");
  if (reason !== undefined) expect((error.cause as Error).message).toContain(reason);
  // Neither the token nor any of its parts appears in the error or its causes.
  const text = errorText(error);
  for (const part of [token, ...token.split(".")].filter((p) => p.length > 8)) {
    expect(text).not.toContain(part);
  }
}

describe("secret mode (HS256 only)", () => {
  let auth: Authenticator;
  beforeAll(async () => {
    auth = await authenticator({ jwtSecret: SECRET });
  });

  it("accepts an HS256 token signed with the secret", async () => {
    expect(auth.mode).toBe("secret");
    expect(await accepts(auth, await sign(encoder.encode(SECRET), "HS256"))).toEqual({
      userId: "user-1",
      authorizedParty: null,
      scopes: [],
    });
  });

  const refused: [string, () => Promise<string> | string][] = [
    ...NONE_VARIANTS.map((alg): [string, () => string] => [
      `alg ${alg}, no signature`,
      () => unsigned(alg),
    ]),
    ...NONE_VARIANTS.map((alg): [string, () => Promise<string>] => [
      `alg ${alg} with a valid HS256 signature attached`,
      async () => {
        const valid = await sign(encoder.encode(SECRET), "HS256");
        return unsigned(alg, claims(), valid.split(".")[2]);
      },
    ]),
    ["HS384 with the secret", () => sign(encoder.encode(SECRET), "HS384")],
    ["HS512 with the secret", () => sign(encoder.encode(SECRET), "HS512")],
    ["HS256 with another secret", () => sign(encoder.encode(`${SECRET}x`), "HS256")],
    ["RS256 signed with some RSA key", () => sign(rsa.privateKey, "RS256")],
    ["ES256 signed with some EC key", () => sign(p256.privateKey, "ES256")],
    [
      "a tampered payload",
      async () =>
        withPayload(await sign(encoder.encode(SECRET), "HS256"), claims({ sub: "admin" })),
    ],
    [
      "a tampered signature",
      async () => withBrokenSignature(await sign(encoder.encode(SECRET), "HS256")),
    ],
    [
      "the signature removed",
      async () =>
        `${(await sign(encoder.encode(SECRET), "HS256")).split(".").slice(0, 2).join(".")}.`,
    ],
  ];
  it.each(refused)("refuses %s", async (_, make) => {
    await refuses(auth, await make());
  });
});

describe.each([
  ["RS256" as const, () => rsa, () => otherRsa],
  ["ES256" as const, () => p256, () => otherP256],
  ["EdDSA" as const, () => ed25519, () => otherEd25519],
])("public-key mode with a %s key", (alg, key, otherKey) => {
  let auth: Authenticator;
  beforeAll(async () => {
    auth = await authenticator({ publicKeyPem: key().pem });
  });

  it(`accepts ${alg} signed with the matching private key`, async () => {
    expect(auth.mode).toBe("public-key");
    expect((await accepts(auth, await sign(key().privateKey, alg))).userId).toBe("user-1");
    // The raw signer used for malformed headers below produces tokens jose accepts.
    expect((await accepts(auth, signRaw(key().privateKey, alg, {}))).userId).toBe("user-1");
  });

  const der = () =>
    new Uint8Array(createPublicKey(key().pem).export({ type: "spki", format: "der" }));
  const refused: [string, () => Promise<string> | string][] = [
    ...NONE_VARIANTS.map((none): [string, () => string] => [`alg ${none}`, () => unsigned(none)]),
    ...NONE_VARIANTS.map((none): [string, () => Promise<string>] => [
      `alg ${none} with a valid signature attached`,
      async () => unsigned(none, claims(), (await sign(key().privateKey, alg)).split(".")[2]),
    ]),
    // Algorithm confusion: the public key (public knowledge) used as an HMAC secret.
    ["HS256 keyed with the PEM text", () => sign(encoder.encode(key().pem), "HS256")],
    ["HS256 keyed with the trimmed PEM", () => sign(encoder.encode(key().pem.trim()), "HS256")],
    ["HS256 keyed with the DER bytes", () => sign(der(), "HS256")],
    [
      "HS256 keyed with the JWK JSON",
      () => sign(encoder.encode(JSON.stringify(key().jwk)), "HS256"),
    ],
    ["HS512 keyed with the PEM text", () => sign(encoder.encode(key().pem), "HS512")],
    [`${alg} signed with another key`, () => sign(otherKey().privateKey, alg)],
    [
      "a tampered payload",
      async () => withPayload(await sign(key().privateKey, alg), claims({ sub: "admin" })),
    ],
    ["a tampered signature", async () => withBrokenSignature(await sign(key().privateKey, alg))],
    [
      "no alg header",
      async () => unsigned("", claims(), (await sign(key().privateKey, alg)).split(".")[2]),
    ],
    ["garbage", () => "not-a-token"],
    ["two segments", () => "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0"],
    ["four segments", async () => `${await sign(key().privateKey, alg)}.x`],
    [
      "an unknown critical header",
      () => signRaw(key().privateKey, alg, { crit: ["x-unknown"], "x-unknown": 1 }),
    ],
    [
      "an unencoded payload (b64: false)",
      () => signRaw(key().privateKey, alg, { crit: ["b64"], b64: false }, JSON.stringify(claims())),
    ],
  ];
  it.each(refused)("refuses %s", async (_, make) => {
    await refuses(auth, await make());
  });
});

describe("only the algorithm matching the key, even with a valid signature", () => {
  const cases: [string, () => TestKey, string][] = [
    ["RS384 with the RSA key", () => rsa, "RS384"],
    ["RS512 with the RSA key", () => rsa, "RS512"],
    ["PS256 with the RSA key", () => rsa, "PS256"],
    ["PS512 with the RSA key", () => rsa, "PS512"],
    ["Ed25519 (the new name) with the Ed25519 key", () => ed25519, "Ed25519"],
  ];
  it.each(cases)("refuses %s (by the algorithm list, before the key)", async (_, key, alg) => {
    const auth = await authenticator({ publicKeyPem: key().pem });
    await refuses(auth, await sign(key().privateKey, alg), "ERR_JOSE_ALG_NOT_ALLOWED");
  });

  it("refuses a token of another key type (ES256 when the key is RSA)", async () => {
    const auth = await authenticator({ publicKeyPem: rsa.pem });
    await refuses(auth, await sign(p256.privateKey, "ES256"));
  });
});

describe("time claims (30 s tolerance on exp/nbf, iat at most 60 s ahead)", () => {
  // [case, claim overrides, accepted]; the clock stands at T.
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["exp in an hour", { exp: T + 3600 }, true],
    ["exp in 1 s", { exp: T + 1 }, true],
    ["exp now (within the tolerance)", { exp: T }, true],
    ["exp 29 s ago", { exp: T - 29 }, true],
    ["exp 30 s ago", { exp: T - 30 }, false],
    ["exp 31 s ago", { exp: T - 31 }, false],
    ["exp an hour ago", { exp: T - 3600 }, false],
    ["exp missing", { exp: undefined }, false],
    ["exp a string", { exp: String(T + 600) }, false],
    ["exp null", { exp: null }, false],
    ["nbf now", { nbf: T }, true],
    ["nbf in 30 s", { nbf: T + 30 }, true],
    ["nbf in 31 s", { nbf: T + 31 }, false],
    ["nbf long past", { nbf: T - 86_400 }, true],
    ["nbf a string", { nbf: String(T) }, false],
    ["iat now", { iat: T }, true],
    ["iat in 60 s", { iat: T + 60 }, true],
    ["iat in 61 s", { iat: T + 61 }, false],
    ["iat in an hour", { iat: T + 3600 }, false],
    ["iat a day ago", { iat: T - 86_400 }, true],
    ["iat missing", { iat: undefined }, true],
    ["iat a string", { iat: String(T) }, false],
  ];
  for (const cacheSize of [0, 100]) {
    it.each(cases)(`cacheSize ${cacheSize}: %s → accepted: %s`, async (_, extra, accepted) => {
      const auth = await authenticator({ jwtSecret: SECRET, cacheSize });
      const token = await sign(encoder.encode(SECRET), "HS256", claims(extra));
      if (accepted) await accepts(auth, token);
      else await refuses(auth, token);
    });
  }
});

describe("issuer and audience", () => {
  const ISS = "https://id.example.com";
  const AUD = "teams-api";
  const configured: [string, Record<string, unknown>, boolean][] = [
    ["right iss and aud", { iss: ISS, aud: AUD }, true],
    ["aud an array containing ours", { iss: ISS, aud: ["other", AUD] }, true],
    ["wrong iss", { iss: "https://evil.example.com", aud: AUD }, false],
    ["iss differing in case", { iss: ISS.toUpperCase(), aud: AUD }, false],
    ["iss with a trailing slash", { iss: `${ISS}/`, aud: AUD }, false],
    ["iss missing", { aud: AUD }, false],
    ["wrong aud", { iss: ISS, aud: "other" }, false],
    ["aud an array without ours", { iss: ISS, aud: ["a", "b"] }, false],
    ["aud missing", { iss: ISS }, false],
  ];
  it.each(configured)("configured: %s → accepted: %s", async (_, extra, accepted) => {
    const auth = await authenticator({ publicKeyPem: p256.pem, issuer: ISS, audience: AUD });
    const token = await sign(p256.privateKey, "ES256", claims(extra));
    if (accepted) await accepts(auth, token);
    else await refuses(auth, token);
  });

  it.each([[{ iss: "anyone", aud: "anything" }], [{}]])(
    "not configured: %j is accepted",
    async (extra) => {
      const auth = await authenticator({ publicKeyPem: p256.pem });
      await accepts(auth, await sign(p256.privateKey, "ES256", claims(extra)));
    },
  );
});

describe("sub (a non-empty string of at most 255 characters)", () => {
  const cases: [string, unknown, boolean][] = [
    ["255 characters", "u".repeat(255), true],
    ["256 characters", "u".repeat(256), false],
    ["empty", "", false],
    ["missing", undefined, false],
    ["numeric", 42, false],
  ];
  it.each(cases)("%s → accepted: %s", async (_, sub, accepted) => {
    const auth = await authenticator({ jwtSecret: SECRET });
    const token = await sign(encoder.encode(SECRET), "HS256", claims({ sub }));
    if (accepted) expect((await accepts(auth, token)).userId).toBe(sub);
    else await refuses(auth, token);
  });
});

describe("jku and x5u are never fetched", () => {
  let trap: Awaited<ReturnType<typeof startListener>>;
  beforeAll(async () => {
    // It would serve the attacker's key if anyone asked; nobody may.
    const attacker = makeKey.rsa("attacker");
    trap = await startListener((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ keys: [attacker.jwk] }));
    });
    attackerKey = attacker;
  });
  afterAll(() => trap.close());
  let attackerKey: TestKey;

  const headers = () => [
    { jku: `${trap.url}/jwks.json`, kid: "attacker" },
    { x5u: `${trap.url}/cert.pem`, kid: "attacker" },
    { jku: `${trap.url}/jwks.json`, x5u: `${trap.url}/cert.pem` },
  ];

  it.each([
    ["public-key", () => ({ publicKeyPem: rsa.pem })],
    ["secret", () => ({ jwtSecret: SECRET })],
  ])("%s mode: attacker-signed tokens pointing at our listener are refused", async (_, options) => {
    const auth = await authenticator(options());
    for (const header of headers()) {
      await refuses(auth, await sign(attackerKey.privateKey, "RS256", claims(), header));
    }
    expect(trap.stats.connections).toBe(0);
  });

  it("a validly signed token carrying jku/x5u is judged on its signature alone", async () => {
    const auth = await authenticator({ publicKeyPem: rsa.pem });
    for (const header of headers()) {
      await accepts(auth, await sign(rsa.privateKey, "RS256", claims(), header));
    }
    expect(trap.stats.connections).toBe(0);
  });
});

describe("the signature is canonical base64url only", () => {
  const last = (text: string) => text.charAt(text.length - 1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  /** The same signature bytes spelled otherwise: with padding, stray bits, or base64's alphabet. */
  const variants: [string, (signature: string) => string | undefined][] = [
    ["a trailing =", (sig) => `${sig}=`],
    ["a trailing ==", (sig) => `${sig}==`],
    [
      "the last character's unused bits set",
      (sig) => `${sig.slice(0, -1)}${alphabet[alphabet.indexOf(last(sig)) | 1]}`,
    ],
    ["base64's + for -", (sig) => (sig.includes("-") ? sig.replaceAll("-", "+") : undefined)],
    ["base64's / for _", (sig) => (sig.includes("_") ? sig.replaceAll("_", "/") : undefined)],
  ];
  // `n` varies the claims, so deterministic algorithms give other signatures too.
  const modes: [string, () => AuthOptions, (n: number) => Promise<string>][] = [
    [
      "HS256",
      () => ({ jwtSecret: SECRET }),
      (n) => sign(encoder.encode(SECRET), "HS256", claims({ n })),
    ],
    [
      "ES256",
      () => ({ publicKeyPem: p256.pem }),
      (n) => sign(p256.privateKey, "ES256", claims({ n })),
    ],
    [
      "RS256",
      () => ({ publicKeyPem: rsa.pem }),
      (n) => sign(rsa.privateKey, "RS256", claims({ n })),
    ],
    [
      "EdDSA",
      () => ({ publicKeyPem: ed25519.pem }),
      (n) => sign(ed25519.privateKey, "EdDSA", claims({ n })),
    ],
  ];
  describe.each(modes)("%s", (_, options, make) => {
    it.each(variants)("refuses %s", async (__, respell) => {
      const auth = await authenticator(options());
      // Tokens are signed afresh until one has the characters a variant needs (+ and / variants).
      for (let attempt = 0; attempt < 40; attempt++) {
        const token = await make(attempt);
        const [header, payload, signature = ""] = token.split(".");
        const other = respell(signature);
        if (other === undefined) continue;
        expect(other).not.toBe(signature);
        expect((await accepts(auth, token)).userId).toBe("user-1");
        await refuses(auth, `${header}.${payload}.${other}`);
        return;
      }
      throw new Error("no signature had the characters this variant changes");
    });
  });
});
