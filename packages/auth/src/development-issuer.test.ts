// Development mode: the key kept in the data folder, the published JWKS, minted tokens.
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NotAuthenticated } from "@teams/core";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  caught,
  encoder,
  makeKey,
  sign,
  startListener,
  T,
  temporaryDir,
  testClock,
  unsigned,
} from "../test/support.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { AuthConfigurationError } from "./configuration-error.js";
import { DEVELOPMENT_KEY_FILE } from "./development-issuer.js";

let dir: Awaited<ReturnType<typeof temporaryDir>>;
beforeEach(async () => {
  dir = await temporaryDir();
});
afterEach(() => dir.remove());

const keyFile = () => join(dir.path, "data", DEVELOPMENT_KEY_FILE);
const development = (extra: Record<string, unknown> = {}) =>
  createAuthenticator({ dataDir: join(dir.path, "data"), clock: testClock().clock, ...extra });

function kidOf(auth: Authenticator): string {
  const key = auth.publicJwks?.keys[0] as { kid?: string } | undefined;
  if (!key?.kid) throw new Error("no published key");
  return key.kid;
}

async function mint(
  auth: Authenticator,
  claims: Parameters<NonNullable<Authenticator["mintToken"]>>[0],
) {
  if (!auth.mintToken) throw new Error("not in development mode");
  return auth.mintToken(claims);
}

describe("the development key", () => {
  it("is created on first use as a private JWK with a kid, readable only by its owner", async () => {
    const auth = await development();
    expect(auth.mode).toBe("development");
    const jwk = JSON.parse(await readFile(keyFile(), "utf8"));
    expect(jwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    for (const member of ["x", "y", "d", "kid"]) expect(typeof jwk[member]).toBe("string");
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
  });

  it("is reused on later starts: two authenticators verify each other's tokens", async () => {
    const first = await development();
    const before = await readFile(keyFile(), "utf8");
    const second = await development();
    expect(await readFile(keyFile(), "utf8")).toBe(before);
    const fromFirst = await mint(first, { sub: "a" });
    const fromSecond = await mint(second, { sub: "b" });
    expect(
      (await second.authenticate({ authorization: `Bearer ${fromFirst}` })).principal.userId,
    ).toBe("a");
    expect(
      (await first.authenticate({ authorization: `Bearer ${fromSecond}` })).principal.userId,
    ).toBe("b");
  });

  it("is created once when several start at the same moment", async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => development()));
    const kids = new Set(all.map(kidOf));
    expect(kids.size).toBe(1);
    const token = await mint(all[0] as Authenticator, { sub: "u" });
    for (const auth of all) await auth.authenticate({ authorization: `Bearer ${token}` });
  });

  it("differs between data folders", async () => {
    const other = await temporaryDir();
    try {
      const here = await development();
      const there = await createAuthenticator({ dataDir: other.path, clock: testClock().clock });
      const token = await mint(there, { sub: "u" });
      const error = await caught(here.authenticate({ authorization: `Bearer ${token}` }));
      expect(error).toBeInstanceOf(NotAuthenticated);
    } finally {
      await other.remove();
    }
  });

  it.each([
    ["not JSON", "{nope"],
    ["a public key only", JSON.stringify({ kty: "EC", crv: "P-256", x: "a", y: "b", kid: "k" })],
    ["an RSA key", JSON.stringify({ kty: "RSA", n: "a", e: "AQAB", d: "c", kid: "k" })],
    ["without kid", JSON.stringify({ kty: "EC", crv: "P-256", x: "a", y: "b", d: "c" })],
  ])("a key file that is %s is reported, not replaced", async (_, content) => {
    await mkdir(join(dir.path, "data"), { recursive: true });
    await writeFile(keyFile(), content);
    await expect(development()).rejects.toThrow(AuthConfigurationError);
    expect(await readFile(keyFile(), "utf8")).toBe(content);
  });
});

describe("the published JWKS", () => {
  it("holds the public key only, with the kid of the key file", async () => {
    const auth = await development();
    const stored = JSON.parse(await readFile(keyFile(), "utf8"));
    expect(auth.publicJwks?.keys).toHaveLength(1);
    const [key] = auth.publicJwks?.keys ?? [];
    expect(key).toEqual({
      kty: "EC",
      crv: "P-256",
      x: stored.x,
      y: stored.y,
      kid: stored.kid,
      alg: "ES256",
      use: "sig",
    });
    for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"])
      expect(key).not.toHaveProperty(secret);
    expect(JSON.stringify(auth.publicJwks)).not.toContain(stored.d);
  });

  it("verifies minted tokens when served to a JWKS-mode authenticator", async () => {
    const issuer = await development();
    const jwks = await startListener((_, response) => {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(issuer.publicJwks));
    });
    try {
      const consumer = await createAuthenticator({
        jwksUrl: `${jwks.url}/.well-known/jwks.json`,
        clock: testClock().clock,
      });
      const token = await mint(issuer, { sub: "u", scope: "data:read" });
      expect(
        (await consumer.authenticate({ authorization: `Bearer ${token}` })).principal.scopes,
      ).toEqual(["data:read"]);
    } finally {
      await jwks.close();
    }
  });

  it("exists only in development mode", async () => {
    const auth = await createAuthenticator({ jwtSecret: "s".repeat(32) });
    expect(auth.publicJwks).toEqual({ keys: [] });
    expect(auth.mintToken).toBeUndefined();
  });
});

describe("minted tokens", () => {
  it("carry sub, azp, scope and names, signed ES256 with the kid", async () => {
    const auth = await development();
    const token = await mint(auth, {
      sub: "managed-1",
      azp: "coach-1",
      scope: "data:read profile",
      given_name: "Ada",
      family_name: "Lovelace",
    });
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: "ES256",
      typ: "JWT",
      kid: kidOf(auth),
    });
    expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toEqual({
      principal: {
        userId: "managed-1",
        authorizedParty: "coach-1",
        scopes: ["data:read", "profile"],
      },
      // A delegated token never creates its subject, so it names no identity to record.
      identity: null,
      token: { issuer: "development", exp: T + 3600 },
    });
    expect(decodeJwt(token)).toMatchObject({ given_name: "Ada", family_name: "Lovelace" });
  });

  it("last an hour by default, or ttlSeconds, by the clock", async () => {
    const time = testClock();
    const auth = await development({ clock: time.clock });
    expect(decodeJwt(await mint(auth, { sub: "u" }))).toMatchObject({ iat: T, exp: T + 3600 });
    const short = await mint(auth, { sub: "u", ttlSeconds: 60 });
    expect(decodeJwt(short)).toMatchObject({ iat: T, exp: T + 60 });
    time.advance(60 + 30);
    await expect(auth.authenticate({ authorization: `Bearer ${short}` })).rejects.toThrow(
      "Could not validate credentials",
    );
  });

  it("carry the configured issuer and audience, and pass their checks", async () => {
    const auth = await development({ issuer: "https://dev.local", audience: "teams" });
    const token = await mint(auth, { sub: "u" });
    expect(decodeJwt(token)).toMatchObject({ iss: "https://dev.local", aud: "teams" });
    await auth.authenticate({ authorization: `Bearer ${token}` });
    const strict = await development({ audience: "someone-else" });
    await expect(strict.authenticate({ authorization: `Bearer ${token}` })).rejects.toThrow(
      NotAuthenticated,
    );
  });

  it.each([
    ["an empty sub", { sub: "" }],
    ["a sub of 256 characters", { sub: "u".repeat(256) }],
    ["a zero ttl", { sub: "u", ttlSeconds: 0 }],
    ["a negative ttl", { sub: "u", ttlSeconds: -5 }],
    ["a fractional ttl", { sub: "u", ttlSeconds: 1.5 }],
  ])("are not minted with %s", async (_, claims) => {
    const auth = await development();
    await expect(mint(auth, claims)).rejects.toThrow(RangeError);
  });
});

describe("development mode verifies like the others", () => {
  it.each([
    ["alg none", async () => unsigned("none")],
    [
      "HS256 keyed with the public JWK",
      async (auth: Authenticator) =>
        sign(encoder.encode(JSON.stringify(auth.publicJwks?.keys[0])), "HS256"),
    ],
    ["another ES256 key", async () => sign(makeKey.p256().privateKey, "ES256")],
  ])("refuses %s", async (_, make) => {
    const auth = await development();
    await expect(
      auth.authenticate({ authorization: `Bearer ${await make(auth)}` }),
    ).rejects.toThrow("Could not validate credentials");
  });
});
