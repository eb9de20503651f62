// The service's signing keys: kept in the data folder or given as a PEM, published, rotated.
import { generateKeyPairSync } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { NotAuthenticated } from "@teams/core";
import { decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caught, errorText, makeKey, sign, T, temporaryDir, testClock } from "../test/support.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { AuthConfigurationError } from "./configuration-error.js";
import { rotateSigningKeys, SIGNING_KEYS_FILE } from "./signing-keys.js";

const ISSUER = "https://teams.example";
const HOUR = 3600;
const GRACE = 8 * HOUR; // the default maxTokenTtlSeconds

let dir: Awaited<ReturnType<typeof temporaryDir>>;
beforeEach(async () => {
  dir = await temporaryDir();
});
afterEach(() => dir.remove());

const dataDir = () => join(dir.path, "data");
const keyFile = () => join(dataDir(), SIGNING_KEYS_FILE);
const service = (extra: Record<string, unknown> = {}) =>
  createAuthenticator({
    jwtSecret: "a-test-secret-of-at-least-32-bytes!",
    serviceIssuer: ISSUER,
    dataDir: dataDir(),
    clock: testClock().clock,
    ...extra,
  });

const principalToken = (auth: Authenticator, ttlSeconds = HOUR) =>
  auth.issueToken({ kind: "principal", sub: "ada", scopes: ["data:read"], ttlSeconds });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const kids = (auth: Authenticator) =>
  auth.publicJwks.keys.map((key) => (key as { kid: string }).kid);

describe("the key file", () => {
  it("is created on first start, readable only by its owner, with a kid that is the thumbprint", async () => {
    const auth = await service();
    const stored = JSON.parse(await readFile(keyFile(), "utf8"));
    expect(stored.current).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(stored.previous).toBeUndefined();
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect(kids(auth)).toEqual([stored.current.kid]);
    const { token } = await principalToken(auth);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "ES256",
      kid: stored.current.kid,
      typ: "at+jwt",
    });
  });

  it("is reused on later starts: tokens of one start verify at the next", async () => {
    const first = await service();
    const before = await readFile(keyFile(), "utf8");
    const { token } = await principalToken(first);
    const second = await service();
    expect(await readFile(keyFile(), "utf8")).toBe(before);
    expect((await second.authenticate(bearer(token))).token.issuer).toBe("service");
  });

  it("is agreed on by authenticators created at once on an empty folder", async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => service()));
    const stored = JSON.parse(await readFile(keyFile(), "utf8"));
    for (const auth of all) expect(kids(auth)).toEqual([stored.current.kid]);
    const tokens = await Promise.all(all.map((auth) => principalToken(auth)));
    for (const auth of all) {
      for (const { token } of tokens) {
        expect((await auth.authenticate(bearer(token))).principal.userId).toBe("ada");
      }
    }
    // No temporary file is left behind.
    expect(await readdir(dataDir())).toEqual([SIGNING_KEYS_FILE]);
  });

  it("is never shown: not in the JWKS, not in the authenticator, not in errors", async () => {
    const auth = await service();
    const { d } = JSON.parse(await readFile(keyFile(), "utf8")).current;
    expect(JSON.stringify(auth.publicJwks)).not.toContain(d);
    for (const key of auth.publicJwks.keys) expect(key).not.toHaveProperty("d");
    expect(inspect(auth, { depth: 10, showHidden: true })).not.toContain(d);
    // A damaged file is reported without quoting it (JSON.parse's own message would).
    const text = await readFile(keyFile(), "utf8");
    await writeFile(keyFile(), text.slice(0, -20));
    const broken = await caught(service());
    expect(broken).toBeInstanceOf(AuthConfigurationError);
    expect(errorText(broken)).not.toContain(d);
    const wrongShape = JSON.stringify({ current: { kty: "RSA", d } });
    await writeFile(keyFile(), wrongShape);
    const refused = await caught(service());
    expect(refused).toBeInstanceOf(AuthConfigurationError);
    expect(errorText(refused)).not.toContain(d);
  });

  it("is not created without a service issuer", async () => {
    const auth = await createAuthenticator({
      jwtSecret: "a-test-secret-of-at-least-32-bytes!",
      dataDir: dataDir(),
    });
    expect(auth.publicJwks).toEqual({ keys: [] });
    await expect(principalToken(auth)).rejects.toBeInstanceOf(AuthConfigurationError);
    await expect(readdir(dataDir())).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("TEAMS_SIGNING_KEY", () => {
  const pemOf = (pair: { privateKey: { export(o: object): string | Buffer } }) =>
    pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  it.each([
    ["EC P-256", () => generateKeyPairSync("ec", { namedCurve: "P-256" }), "ES256"],
    ["Ed25519", () => generateKeyPairSync("ed25519"), "EdDSA"],
  ] as const)("%s signs as %s, and nothing is written", async (_, generate, alg) => {
    const pem = pemOf(generate());
    // Environment variables often carry the line breaks as literal \n.
    const auth = await service({ signingKeyPem: pem.replaceAll("\n", "\\n") });
    const { token } = await principalToken(auth);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: kids(auth)[0] });
    expect(auth.publicJwks.keys).toEqual([expect.objectContaining({ alg, use: "sig" })]);
    expect((await auth.authenticate(bearer(token))).token.kind).toBe("principal");
    await expect(readdir(dataDir())).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.each([
    ["EC P-384", () => pemOf(generateKeyPairSync("ec", { namedCurve: "P-384" }))],
    ["RSA", () => pemOf(generateKeyPairSync("rsa", { modulusLength: 2048 }))],
    [
      "a public key",
      () =>
        generateKeyPairSync("ec", { namedCurve: "P-256" })
          .publicKey.export({ type: "spki", format: "pem" })
          .toString(),
    ],
    [
      "a damaged PEM",
      () => {
        // The last line of the body cut off: the DER inside is incomplete.
        const lines = pemOf(generateKeyPairSync("ec", { namedCurve: "P-256" })).split("\n");
        return [...lines.slice(0, -3), ...lines.slice(-2)].join("\n");
      },
    ],
  ])("%s is refused without being quoted", async (_, make) => {
    const pem = make();
    const error = await caught(service({ signingKeyPem: pem }));
    expect(error).toBeInstanceOf(AuthConfigurationError);
    const body = pem.split("\n")[1] ?? "";
    expect(body.length).toBeGreaterThan(20);
    expect(errorText(error)).not.toContain(body);
  });
});

describe("rotateSigningKeys", () => {
  it("makes a new current key and keeps the old one for the grace, then drops it", async () => {
    const time = testClock();
    const before = await service({ clock: time.clock });
    const oldKid = kids(before)[0];
    const { token: oldToken, exp } = await principalToken(before, GRACE);
    expect(exp).toBe(T + GRACE);

    const { kid } = await rotateSigningKeys({ dataDir: dataDir(), clock: time.clock });
    expect(kid).not.toBe(oldKid);
    const stored = JSON.parse(await readFile(keyFile(), "utf8"));
    expect(stored.current.kid).toBe(kid);
    expect(stored.previous).toMatchObject({
      key: { kid: oldKid },
      retiredAt: new Date(T * 1000).toISOString(),
    });
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);

    const after = await service({ clock: time.clock });
    expect(kids(after)).toEqual([kid, oldKid]);
    const { token: newToken } = await principalToken(after);
    expect(decodeProtectedHeader(newToken).kid).toBe(kid);
    // Signed before the rotation, it stays valid to its end...
    time.set(T + GRACE);
    expect((await after.authenticate(bearer(oldToken))).principal.userId).toBe("ada");
    // ...and a token of the rotated-out key is refused once the grace is over.
    time.set(T + GRACE + 31);
    expect(await caught(after.authenticate(bearer(oldToken)))).toBeInstanceOf(NotAuthenticated);
    expect(kids(after)).toEqual([kid]);
  });

  it("ends the old key's tokens with its grace even when they were cached", async () => {
    const time = testClock();
    const running = await service({ clock: time.clock });
    await rotateSigningKeys({ dataDir: dataDir(), clock: time.clock });
    const restarted = await service({ clock: time.clock });
    // A server not yet restarted still signs with the old key, with a lifetime past the grace.
    time.advance(600);
    const { token, exp } = await principalToken(running, GRACE);
    expect(exp).toBe(T + 600 + GRACE);
    expect((await restarted.authenticate(bearer(token))).principal.userId).toBe("ada");
    time.set(T + GRACE + 31);
    expect(await caught(restarted.authenticate(bearer(token)))).toBeInstanceOf(NotAuthenticated);
  });

  it("drops an older previous key at the next rotation", async () => {
    const time = testClock();
    const first = await service({ clock: time.clock });
    const { token } = await principalToken(first);
    await rotateSigningKeys({ dataDir: dataDir(), clock: time.clock });
    time.advance(60);
    const { kid } = await rotateSigningKeys({ dataDir: dataDir(), clock: time.clock });
    const third = await service({ clock: time.clock });
    expect(kids(third)).toHaveLength(2);
    expect(kids(third)[0]).toBe(kid);
    expect(kids(third)).not.toContain(kids(first)[0]);
    expect(await caught(third.authenticate(bearer(token)))).toBeInstanceOf(NotAuthenticated);
  });

  it("reaches a running server when it meets a token of the new key, at most once per 30 s", async () => {
    const time = testClock();
    const changes: string[] = [];
    const running = await service({
      clock: time.clock,
      onSigningKeyChange: (kid: string) => changes.push(kid),
    });
    const oldKid = kids(running)[0];
    // A made-up kid makes it read the file (nothing new there) and starts the cooldown.
    const madeUp = await sign(
      makeKey.p256().privateKey,
      "ES256",
      { iss: ISSUER, sub: "ada", exp: T + 600 },
      { kid: "made-up", typ: "at+jwt" },
    );
    const stranger = await caught(running.authenticate(bearer(madeUp)));
    expect(stranger).toBeInstanceOf(NotAuthenticated);
    const { kid } = await rotateSigningKeys({ dataDir: dataDir(), clock: time.clock });
    const restarted = await service({ clock: time.clock });
    const { token } = await principalToken(restarted);
    // Within the cooldown the file is not read again: the new key is still unknown here.
    time.advance(10);
    expect(await caught(running.authenticate(bearer(token)))).toBeInstanceOf(NotAuthenticated);
    time.advance(20);
    expect((await running.authenticate(bearer(token))).principal.userId).toBe("ada");
    // Once, for the log; the reload that found nothing new said nothing.
    expect(changes).toEqual([kid]);
    // From then on it signs with the new key and publishes both.
    expect(kids(running)).toEqual([kid, oldKid]);
    const { token: next } = await principalToken(running);
    expect(decodeProtectedHeader(next).kid).toBe(kid);
  });

  it("keeps its keys when a reload finds no usable file", async () => {
    const time = testClock();
    const running = await service({ clock: time.clock });
    const { token } = await principalToken(running);
    await writeFile(keyFile(), "{");
    const other = await sign(
      makeKey.p256().privateKey,
      "ES256",
      {
        iss: ISSUER,
        sub: "ada",
        exp: T + 600,
      },
      { kid: "unknown", typ: "at+jwt" },
    );
    expect(await caught(running.authenticate(bearer(other)))).toBeInstanceOf(NotAuthenticated);
    expect((await running.authenticate(bearer(token))).principal.userId).toBe("ada");
    expect((await principalToken(running)).token.split(".")).toHaveLength(3);
  });

  it("creates the keys when there are none yet", async () => {
    const { kid } = await rotateSigningKeys({ dataDir: dataDir() });
    expect(kids(await service())).toEqual([kid]);
  });
});
