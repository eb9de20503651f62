// createAuthenticator's configuration checks: one key source at most, usable values, clear errors.
import { describe, expect, it } from "vitest";
import { caught, makeKey, startListener } from "../test/support.js";
import type { AuthOptions } from "./auth-options.js";
import { createAuthenticator } from "./authenticator.js";
import { AuthConfigurationError } from "./configuration-error.js";

const SECRET = "0123456789abcdef0123456789abcdef";
const rsa = makeKey.rsa();
const JWKS = "https://id.example.com/.well-known/jwks.json";

describe("exactly one key source", () => {
  const several: [string, AuthOptions, string[]][] = [
    [
      "secret and PEM",
      { jwtSecret: SECRET, publicKeyPem: rsa.pem },
      ["TEAMS_JWT_SECRET", "TEAMS_JWT_PUBLIC_KEY"],
    ],
    [
      "secret and JWKS",
      { jwtSecret: SECRET, jwksUrl: JWKS },
      ["TEAMS_JWT_SECRET", "TEAMS_JWKS_URL"],
    ],
    [
      "PEM and JWKS",
      { publicKeyPem: rsa.pem, jwksUrl: JWKS },
      ["TEAMS_JWT_PUBLIC_KEY", "TEAMS_JWKS_URL"],
    ],
    [
      "all three",
      { jwtSecret: SECRET, publicKeyPem: rsa.pem, jwksUrl: JWKS },
      ["TEAMS_JWT_SECRET", "TEAMS_JWT_PUBLIC_KEY", "TEAMS_JWKS_URL"],
    ],
  ];
  it.each(several)(
    "%s is a configuration error naming them, not their values",
    async (_, options, names) => {
      const error = await caught(createAuthenticator(options));
      expect(error).toBeInstanceOf(AuthConfigurationError);
      for (const name of names) expect(error.message).toContain(name);
      expect(error.message).not.toContain(SECRET);
    },
  );

  it.each([
    ["secret", { jwtSecret: SECRET }],
    ["public-key", { publicKeyPem: rsa.pem }],
    ["jwks", { jwksUrl: JWKS }],
  ] as const)("%s mode", async (mode, options) => {
    expect((await createAuthenticator(options)).mode).toBe(mode);
  });
});

describe("unusable values", () => {
  const ec384 = makeKey.p384();
  const ed448 = makeKey.ed448();
  const weakRsa = makeKey.rsa(undefined, 1024);
  const cases: [string, AuthOptions][] = [
    ["an empty secret", { jwtSecret: "" }],
    ["a blank secret", { jwtSecret: "   " }],
    ["a secret of 31 bytes", { jwtSecret: "x".repeat(31) }],
    ["an empty PEM", { publicKeyPem: "" }],
    ["a PEM that is not PEM", { publicKeyPem: "hello" }],
    ["a damaged PEM", { publicKeyPem: rsa.pem.replace(/[A-Za-z]{8}/, "!!!!!!!!") }],
    [
      "a private key PEM",
      { publicKeyPem: rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
    ],
    [
      "a PKCS#1 RSA public key",
      { publicKeyPem: rsa.publicKey.export({ type: "pkcs1", format: "pem" }).toString() },
    ],
    ["a 1024-bit RSA key", { publicKeyPem: weakRsa.pem }],
    ["a P-384 key", { publicKeyPem: ec384.pem }],
    ["an Ed448 key", { publicKeyPem: ed448.pem }],
    ["an empty JWKS URL", { jwksUrl: "" }],
    ["a JWKS URL that is no URL", { jwksUrl: "not a url" }],
    ["a file: JWKS URL", { jwksUrl: "file:///etc/jwks.json" }],
    ["an ftp: JWKS URL", { jwksUrl: "ftp://id.example.com/jwks.json" }],
    ["an empty issuer", { jwtSecret: SECRET, issuer: "" }],
    ["an empty audience", { jwtSecret: SECRET, audience: "" }],
    ["a negative cacheSize", { jwtSecret: SECRET, cacheSize: -1 }],
    ["a fractional cacheSize", { jwtSecret: SECRET, cacheSize: 1.5 }],
    ["a NaN cacheSize", { jwtSecret: SECRET, cacheSize: Number.NaN }],
    ["a negative jwksCooldownMs", { jwksUrl: JWKS, jwksCooldownMs: -1 }],
    [
      "an infinite jwksCacheMaxAgeMs",
      { jwksUrl: JWKS, jwksCacheMaxAgeMs: Number.POSITIVE_INFINITY },
    ],
    ["an empty dataDir", { dataDir: "" }],
  ];
  it.each(cases)("%s", async (_, options) => {
    await expect(createAuthenticator(options)).rejects.toThrow(AuthConfigurationError);
  });

  it("an empty secret is not silently read as development mode", async () => {
    const error = await caught(createAuthenticator({ jwtSecret: "" }));
    expect(error.message).toContain("TEAMS_JWT_SECRET");
  });
});

describe("accepted forms", () => {
  it("a PEM with literal \\n sequences, as environment variables carry it", async () => {
    const escaped = rsa.pem.trim().replaceAll("\n", "\\n");
    expect((await createAuthenticator({ publicKeyPem: escaped })).mode).toBe("public-key");
  });

  it("an http JWKS URL, not fetched at start", async () => {
    const listener = await startListener();
    try {
      await createAuthenticator({ jwksUrl: `${listener.url}/jwks.json` });
      expect(listener.stats.connections).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it("a secret of exactly 32 bytes", async () => {
    expect((await createAuthenticator({ jwtSecret: "x".repeat(32) })).mode).toBe("secret");
  });
});
