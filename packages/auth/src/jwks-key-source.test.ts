// JWKS mode against a local key server that counts fetches: caching, rotation, unknown kids,
// pinned algorithms, the verified-token cache, outages, and URLs in tokens that must not be fetched.
import { setTimeout as sleep } from "node:timers/promises";
import { NotAuthenticated, Unavailable } from "@teams/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  caught,
  claims,
  encoder,
  errorText,
  makeKey,
  sign,
  startJwksServer,
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

let rsa: TestKey;
let p256: TestKey;
let ed25519: TestKey;
let p256b: TestKey;
let stranger: TestKey;
let p384: TestKey;
let server: Awaited<ReturnType<typeof startJwksServer>>;

beforeAll(() => {
  rsa = makeKey.rsa("r1");
  p256 = makeKey.p256("e1");
  ed25519 = makeKey.ed25519("d1");
  p256b = makeKey.p256("e2");
  stranger = makeKey.p256("e1"); // claims a kid of the set with a key that is not in it
  p384 = makeKey.p384("p384");
});

beforeEach(async () => {
  server = await startJwksServer([rsa.jwk, p256.jwk, ed25519.jwk, p384.jwk]);
});
afterEach(() => server.close());

const fetches = () => server.stats.requests;

function authenticator(options: Partial<AuthOptions> = {}): Promise<Authenticator> {
  return createAuthenticator({ jwksUrl: server.jwksUrl, clock: testClock().clock, ...options });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refuses(auth: Authenticator, token: string) {
  const error = await caught(auth.authenticate(bearer(token)));
  expect(error).toBeInstanceOf(NotAuthenticated);
  expect(error.message).toBe("Could not validate credentials");
  expect(errorText(error)).not.toContain(token);
}

describe("verifying with the fetched key set", () => {
  it("does not fetch before the first token", async () => {
    const auth = await authenticator();
    expect(auth.mode).toBe("jwks");
    expect(fetches()).toBe(0);
  });

  it("verifies RS256, ES256 and EdDSA tokens by kid, with one fetch for many verifications", async () => {
    const auth = await authenticator({ cacheSize: 0 });
    for (let i = 0; i < 10; i += 1) {
      for (const [key, alg] of [
        [rsa, "RS256"],
        [p256, "ES256"],
        [ed25519, "EdDSA"],
      ] as const) {
        const token = await sign(key.privateKey, alg, claims({ sub: `u${i}` }), {
          kid: key.jwk.kid,
        });
        expect((await auth.authenticate(bearer(token))).principal.userId).toBe(`u${i}`);
      }
    }
    expect(fetches()).toBe(1);
  });

  it("verifies a token without kid when several keys of its type are published", async () => {
    server.serve([p256.jwk, p256b.jwk]);
    const auth = await authenticator();
    await auth.authenticate(bearer(await sign(p256b.privateKey, "ES256")));
    await auth.authenticate(bearer(await sign(p256.privateKey, "ES256")));
    await refuses(auth, await sign(makeKey.p256().privateKey, "ES256"));
  });
});

describe("pinned algorithms: refused before any key is looked up (no fetch)", () => {
  const NONE = ["none", "None", "NONE", "nOnE"];
  const cases: [string, () => Promise<string> | string][] = [
    ...NONE.map((alg): [string, () => string] => [`alg ${alg}`, () => unsigned(alg)]),
    [
      "HS256 keyed with the RSA key's PEM",
      () => sign(encoder.encode(rsa.pem), "HS256", claims(), { kid: "r1" }),
    ],
    [
      "HS256 keyed with the EC key's PEM",
      () => sign(encoder.encode(p256.pem), "HS256", claims(), { kid: "e1" }),
    ],
    [
      "HS256 keyed with the JWK JSON",
      () => sign(encoder.encode(JSON.stringify(rsa.jwk)), "HS256", claims(), { kid: "r1" }),
    ],
    [
      "HS256 keyed with the RSA modulus",
      () => sign(Buffer.from(rsa.jwk.n ?? "", "base64url"), "HS256", claims(), { kid: "r1" }),
    ],
    [
      "HS256 keyed with the whole JWKS",
      () => sign(encoder.encode(JSON.stringify({ keys: [rsa.jwk] })), "HS256"),
    ],
    [
      "HS512 keyed with the PEM",
      () => sign(encoder.encode(rsa.pem), "HS512", claims(), { kid: "r1" }),
    ],
    [
      "RS384 with the published RSA key",
      () => sign(rsa.privateKey, "RS384", claims(), { kid: "r1" }),
    ],
    [
      "RS512 with the published RSA key",
      () => sign(rsa.privateKey, "RS512", claims(), { kid: "r1" }),
    ],
    [
      "PS256 with the published RSA key",
      () => sign(rsa.privateKey, "PS256", claims(), { kid: "r1" }),
    ],
    [
      "ES384 with a published P-384 key",
      () => sign(p384.privateKey, "ES384", claims(), { kid: "p384" }),
    ],
    [
      "Ed25519 (the new name) with the published key",
      () => sign(ed25519.privateKey, "Ed25519", claims(), { kid: "d1" }),
    ],
  ];
  it.each(cases)("%s", async (_, make) => {
    const auth = await authenticator();
    await refuses(auth, await make());
    expect(fetches()).toBe(0);
  });
});

describe("refused after looking up the key", () => {
  const cases: [string, () => Promise<string>][] = [
    [
      "a kid of another key type (RS256 naming the EC key)",
      () => sign(rsa.privateKey, "RS256", claims(), { kid: "e1" }),
    ],
    [
      "a stranger's key under a published kid",
      () => sign(stranger.privateKey, "ES256", claims(), { kid: "e1" }),
    ],
    [
      "a tampered payload",
      async () =>
        withPayload(
          await sign(p256.privateKey, "ES256", claims(), { kid: "e1" }),
          claims({ sub: "admin" }),
        ),
    ],
    [
      "a tampered signature",
      async () =>
        withBrokenSignature(await sign(p256.privateKey, "ES256", claims(), { kid: "e1" })),
    ],
    [
      "an expired token",
      () => sign(p256.privateKey, "ES256", claims({ exp: T - 31 }), { kid: "e1" }),
    ],
  ];
  it.each(cases)("%s", async (_, make) => {
    await refuses(await authenticator(), await make());
  });
});

describe("unknown kid and rotation", () => {
  const token = (key: TestKey, alg = "ES256") =>
    sign(key.privateKey, alg, claims(), { kid: key.jwk.kid });

  it("an unknown kid triggers one refetch, then is refused", async () => {
    const auth = await authenticator({ jwksCooldownMs: 0 });
    await auth.authenticate(bearer(await token(p256)));
    expect(fetches()).toBe(1);
    await refuses(auth, await token(makeKey.p256("unknown")));
    expect(fetches()).toBe(2);
  });

  it("within the cooldown an unknown kid causes no fetch at all", async () => {
    const auth = await authenticator();
    await auth.authenticate(bearer(await token(p256)));
    for (let i = 0; i < 5; i += 1) await refuses(auth, await token(makeKey.p256(`unknown-${i}`)));
    expect(fetches()).toBe(1);
  });

  it("a key the server starts publishing is found by refetching", async () => {
    const auth = await authenticator({ jwksCooldownMs: 0 });
    await auth.authenticate(bearer(await token(p256)));
    const next = makeKey.p256("next");
    server.serve([p256.jwk, next.jwk]);
    expect((await auth.authenticate(bearer(await token(next)))).principal.userId).toBe("user-1");
    expect(fetches()).toBe(2);
    // Both keys now known: no further fetch.
    await auth.authenticate(bearer(await token(p256)));
    await auth.authenticate(bearer(await token(next)));
    expect(fetches()).toBe(2);
  });

  it("rotation is picked up once the cooldown has passed", async () => {
    const auth = await authenticator({ jwksCooldownMs: 300 });
    await auth.authenticate(bearer(await token(p256)));
    const next = makeKey.p256("next");
    server.serve([next.jwk]);
    await refuses(auth, await token(next));
    expect(fetches()).toBe(1);
    await sleep(350);
    await auth.authenticate(bearer(await token(next)));
    expect(fetches()).toBe(2);
  });
});

describe("URLs inside tokens are never fetched", () => {
  let trap: Awaited<ReturnType<typeof startListener>>;
  let attacker: TestKey;
  beforeAll(async () => {
    attacker = makeKey.rsa("attacker");
    trap = await startListener((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ keys: [attacker.jwk] }));
    });
  });
  afterAll(() => trap.close());

  it.each([
    ["jku", () => ({ kid: "attacker", jku: `${trap.url}/jwks.json` })],
    ["x5u", () => ({ kid: "attacker", x5u: `${trap.url}/cert.pem` })],
    [
      "jku and x5u with a published kid",
      () => ({ kid: "r1", jku: `${trap.url}/jwks.json`, x5u: `${trap.url}/c.pem` }),
    ],
    ["a kid that is a URL", () => ({ kid: `${trap.url}/jwks.json` })],
  ])("%s: refused, and the listener sees no connection", async (_, header) => {
    const auth = await authenticator({ jwksCooldownMs: 0 });
    await refuses(auth, await sign(attacker.privateKey, "RS256", claims(), header()));
    expect(trap.stats.connections).toBe(0);
    expect(fetches()).toBeGreaterThan(0); // only the configured JWKS was asked
  });

  it("a JWKS URL that redirects is not followed", async () => {
    const redirecting = await startListener((_, response) => {
      response.writeHead(302, { location: `${trap.url}/jwks.json` }).end();
    });
    try {
      const auth = await authenticator({ jwksUrl: `${redirecting.url}/jwks.json` });
      const error = await caught(
        auth.authenticate(
          bearer(await sign(attacker.privateKey, "RS256", claims(), { kid: "attacker" })),
        ),
      );
      expect(error).toBeInstanceOf(Unavailable);
      expect(trap.stats.connections).toBe(0);
    } finally {
      await redirecting.close();
    }
  });
});

describe("the verified-token cache (observed through fetches, with the JWKS never reused)", () => {
  // jwksCacheMaxAgeMs 0 makes every signature check fetch the key set, so fetches count checks.
  const options = { jwksCacheMaxAgeMs: 0 };
  const token = (extra: Record<string, unknown> = {}) =>
    sign(p256.privateKey, "ES256", claims(extra), { kid: "e1" });

  it("a repeated token is verified once", async () => {
    const auth = await authenticator({ ...options, cacheSize: 100 });
    const t = await token();
    const first = await auth.authenticate(bearer(t));
    for (let i = 0; i < 9; i += 1) expect(await auth.authenticate(bearer(t))).toBe(first);
    expect(fetches()).toBe(1);
  });

  it("cacheSize 0 verifies every time", async () => {
    const auth = await authenticator({ ...options, cacheSize: 0 });
    const t = await token();
    for (let i = 0; i < 5; i += 1) await auth.authenticate(bearer(t));
    expect(fetches()).toBe(5);
  });

  it("is bounded: the oldest token is evicted", async () => {
    const auth = await authenticator({ ...options, cacheSize: 2 });
    const [a, b, c] = await Promise.all([
      token({ sub: "a" }),
      token({ sub: "b" }),
      token({ sub: "c" }),
    ]);
    for (const t of [a, b, c]) await auth.authenticate(bearer(t as string));
    expect(fetches()).toBe(3);
    await auth.authenticate(bearer(c as string));
    expect(fetches()).toBe(3);
    await auth.authenticate(bearer(a as string));
    expect(fetches()).toBe(4);
  });

  it("an expired cached token is refused", async () => {
    const time = testClock();
    const auth = await authenticator({ ...options, clock: time.clock });
    const t = await token({ exp: T + 60 });
    await auth.authenticate(bearer(t));
    time.advance(59);
    await auth.authenticate(bearer(t));
    expect(fetches()).toBe(1);
    // Past exp but inside the tolerance: verified afresh (not served from the cache), accepted.
    time.advance(10);
    await auth.authenticate(bearer(t));
    expect(fetches()).toBe(2);
    time.advance(30);
    await refuses(auth, t);
  });

  it("a cached token is refused when the clock moves back before its nbf", async () => {
    const time = testClock();
    const auth = await authenticator({ ...options, clock: time.clock });
    const t = await token({ nbf: T, iat: T });
    await auth.authenticate(bearer(t));
    time.advance(-31);
    await refuses(auth, t);
  });
});

describe("key server outages are Unavailable, not 401", () => {
  const token = () => sign(p256.privateKey, "ES256", claims(), { kid: "e1" });

  it("a 500 from the key server", async () => {
    server.failWith(500);
    const auth = await authenticator();
    const t = await token();
    const error = await caught(auth.authenticate(bearer(t)));
    expect(error).toBeInstanceOf(Unavailable);
    expect(errorText(error)).not.toContain(t);
    // Recovers once the server does.
    server.failWith(200);
    await auth.authenticate(bearer(t));
  });

  it("an unreachable key server", async () => {
    const gone = await startListener();
    await gone.close();
    const auth = await authenticator({ jwksUrl: `${gone.url}/jwks.json` });
    expect(await caught(auth.authenticate(bearer(await token())))).toBeInstanceOf(Unavailable);
  });

  it("a key server answering something that is not a JWKS", async () => {
    const broken = await startListener((_, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end('{"keys": "nope"}');
    });
    try {
      const auth = await authenticator({ jwksUrl: `${broken.url}/jwks.json` });
      expect(await caught(auth.authenticate(bearer(await token())))).toBeInstanceOf(Unavailable);
    } finally {
      await broken.close();
    }
  });
});
