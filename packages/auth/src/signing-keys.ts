import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { AuthConfigurationError } from "./configuration-error.js";
import { createKeyFileOnce, readKeyFile, writeTemporary } from "./key-file.js";

/** The file, in the data folder, that keeps the service's signing keys (private JWKs). */
export const SIGNING_KEYS_FILE = "signing-keys.json";

/** The algorithms of the service's own keys (DESIGN §6). */
export type SigningAlgorithm = "ES256" | "EdDSA";

/** One signing key of the service; the private half stays inside this package. */
export interface SigningKey {
  /** The JWK thumbprint (RFC 7638) of the public key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as published at `/.well-known/jwks.json`: no private member. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
}

/** The current key, and after a rotation the previous one with the instant it was retired. */
export interface SigningKeySet {
  readonly current: SigningKey;
  readonly previous?: {
    readonly key: SigningKey /** Epoch seconds. */;
    readonly retiredAt: number;
  };
}

/** A private JWK as the file keeps it. */
interface StoredJwk extends JWK {
  kid: string;
  d: string;
}

/** What `signing-keys.json` holds. */
interface StoredKeys {
  current: StoredJwk;
  previous?: { key: StoredJwk; retiredAt: string };
}

/**
 * The service's signing keys: from `signingKeyPem` when given (nothing is written), else from the
 * data folder, created on first use. Errors never quote the key.
 */
export async function loadSigningKeys(options: {
  dataDir: string;
  signingKeyPem: string | undefined;
}): Promise<SigningKeySet> {
  if (options.signingKeyPem !== undefined) {
    return { current: await keyFromPem(options.signingKeyPem) };
  }
  const file = join(options.dataDir, SIGNING_KEYS_FILE);
  const stored = (await readKeysFile(file)) ?? (await createKeysFile(options.dataDir));
  return keySetOf(stored, file);
}

/**
 * Makes a new current key in `dataDir`'s key file and keeps the old current one as previous,
 * retired now (an older previous is dropped). Resolves to the new key's `kid`. A running server
 * reads the file when it starts, and again on a token of a `kid` it does not know (with a cooldown).
 */
export async function rotateSigningKeys(options: {
  dataDir: string;
  /** Default `() => new Date()`. */
  clock?: () => Date;
}): Promise<{ kid: string }> {
  const file = join(options.dataDir, SIGNING_KEYS_FILE);
  const now = (options.clock ?? (() => new Date()))();
  const existing = await readKeysFile(file);
  const current = await generateStoredKey();
  const next: StoredKeys = existing
    ? { current, previous: { key: existing.current, retiredAt: now.toISOString() } }
    : { current };
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const temporary = await writeTemporary(options.dataDir, SIGNING_KEYS_FILE, next);
  try {
    // rename replaces the file whole: a reader sees the old keys or the new ones.
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
  const written = await readKeysFile(file);
  if (written?.current.kid !== current.kid) {
    throw new Error("Another rotation of the signing keys ran at the same time; run it again");
  }
  return { kid: current.kid };
}

async function createKeysFile(dataDir: string): Promise<StoredKeys> {
  return createKeyFileOnce(
    dataDir,
    SIGNING_KEYS_FILE,
    { current: await generateStoredKey() },
    readKeysFile,
  );
}

const readKeysFile = (file: string) =>
  readKeyFile(file, isStoredKeys, {
    invalid: "does not hold a current private key (EC P-256 or Ed25519 JWK with a kid)",
    recreate: "create new keys",
  });

function isStoredKeys(value: unknown): value is StoredKeys {
  if (typeof value !== "object" || value === null) return false;
  const { current, previous } = value as Record<string, unknown>;
  if (!isStoredJwk(current)) return false;
  if (previous === undefined) return true;
  if (typeof previous !== "object" || previous === null) return false;
  const { key, retiredAt } = previous as Record<string, unknown>;
  return isStoredJwk(key) && typeof retiredAt === "string" && !Number.isNaN(Date.parse(retiredAt));
}

function isStoredJwk(value: unknown): value is StoredJwk {
  if (typeof value !== "object" || value === null) return false;
  const jwk = value as Record<string, unknown>;
  const shape =
    (jwk.kty === "EC" && jwk.crv === "P-256" && typeof jwk.y === "string") ||
    (jwk.kty === "OKP" && jwk.crv === "Ed25519");
  return (
    shape && ["x", "d", "kid"].every((member) => typeof jwk[member] === "string" && jwk[member])
  );
}

async function keySetOf(stored: StoredKeys, file: string): Promise<SigningKeySet> {
  const current = await keyFromJwk(stored.current, file);
  if (!stored.previous) return { current };
  const retiredAt = Math.floor(Date.parse(stored.previous.retiredAt) / 1000);
  return { current, previous: { key: await keyFromJwk(stored.previous.key, file), retiredAt } };
}

async function keyFromJwk(jwk: StoredJwk, file: string): Promise<SigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: { ...jwk }, format: "jwk" });
  } catch {
    throw new AuthConfigurationError(`${file} holds a key that cannot be read`);
  }
  const key = await signingKeyOf(privateKey, `${file}`);
  if (key.kid !== jwk.kid) {
    throw new AuthConfigurationError(`${file} holds a key whose kid is not its thumbprint`);
  }
  return key;
}

async function keyFromPem(pem: string): Promise<SigningKey> {
  const name = "signingKeyPem (TEAMS_SIGNING_KEY)";
  const text = pem.replaceAll("\\n", "\n").trim();
  if (!text.startsWith("-----BEGIN PRIVATE KEY-----")) {
    throw new AuthConfigurationError(
      `${name} must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new AuthConfigurationError(`${name} could not be read as a PEM private key`);
  }
  return signingKeyOf(privateKey, name);
}

async function signingKeyOf(privateKey: KeyObject, name: string): Promise<SigningKey> {
  const alg = algorithmOf(privateKey, name);
  const publicKey = createPublicKey(privateKey);
  const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
  const thumbprintInput = alg === "ES256" ? { kty, crv, x, y } : { kty, crv, x };
  const kid = await calculateJwkThumbprint(thumbprintInput as JWK);
  const publicJwk = Object.freeze({ ...thumbprintInput, kid, alg, use: "sig" });
  return Object.freeze({ kid, alg, privateKey, publicKey, publicJwk });
}

function algorithmOf(key: KeyObject, name: string): SigningAlgorithm {
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return "ES256";
  }
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  throw new AuthConfigurationError(
    `${name} must be an EC P-256 (ES256) or Ed25519 (EdDSA) private key`,
  );
}

async function generateStoredKey(): Promise<StoredJwk> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const { kty, crv, x, y, d } = jwk;
  if (kty !== "EC" || crv !== "P-256" || !x || !y || !d) {
    throw new Error("The generated signing key is not an EC P-256 key");
  }
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  return { kty, crv, x, y, d, kid, alg: "ES256", use: "sig" };
}
