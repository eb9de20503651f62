// Shared test fixtures: keys, token forging, a controllable clock and local HTTP listeners.
import { sign as cryptoSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JWK, JWTPayload } from "jose";
import { SignJWT } from "jose";

/** A fixed instant the tests run at. */
export const NOW = new Date("2025-01-01T00:00:00Z");
export const T = Math.floor(NOW.getTime() / 1000);

/** A clock the test moves by hand. */
export function testClock(start: Date = NOW) {
  let current = start.getTime();
  return {
    clock: () => new Date(current),
    /** Sets the time to epoch seconds. */
    set(seconds: number) {
      current = seconds * 1000;
    },
    advance(seconds: number) {
      current += seconds * 1000;
    },
  };
}

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  pem: string;
  jwk: JWK;
}

function fromPair(pair: { privateKey: KeyObject; publicKey: KeyObject }, kid?: string): TestKey {
  const jwk = pair.publicKey.export({ format: "jwk" }) as JWK;
  return {
    ...pair,
    pem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    jwk: kid === undefined ? jwk : { ...jwk, kid },
  };
}

export const makeKey = {
  rsa: (kid?: string, bits = 2048) =>
    fromPair(generateKeyPairSync("rsa", { modulusLength: bits }), kid),
  p256: (kid?: string) => fromPair(generateKeyPairSync("ec", { namedCurve: "P-256" }), kid),
  p384: (kid?: string) => fromPair(generateKeyPairSync("ec", { namedCurve: "P-384" }), kid),
  ed25519: (kid?: string) => fromPair(generateKeyPairSync("ed25519"), kid),
  ed448: (kid?: string) => fromPair(generateKeyPairSync("ed448"), kid),
};

/** Ordinary valid claims at `NOW`. */
export function claims(extra: Record<string, unknown> = {}): JWTPayload {
  return { sub: "user-1", iat: T, exp: T + 600, ...extra };
}

/** Removes claims whose value is `undefined` (to test missing claims). */
function defined(payload: Record<string, unknown>): JWTPayload {
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
}

/** Signs `payload` with any algorithm jose can produce, and any extra header members. */
export function sign(
  key: KeyObject | Uint8Array,
  alg: string,
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(defined(payload)).setProtectedHeader({ alg, ...header }).sign(key);
}

export const encoder = new TextEncoder();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned token with the given `alg` header (e.g. "none"), and an optional signature part. */
export function unsigned(alg: string, payload: JWTPayload = claims(), signature = ""): string {
  return `${b64({ alg, typ: "JWT" })}.${b64(payload)}.${signature}`;
}

/**
 * Signs whatever header and payload segment we give, bypassing jose's producer checks (which refuse
 * e.g. unknown `crit` members): for tokens jose itself would never make.
 */
export function signRaw(
  key: KeyObject,
  alg: "RS256" | "ES256" | "EdDSA",
  header: Record<string, unknown>,
  payloadSegment: string = b64(claims()),
): string {
  const input = `${b64({ alg, ...header })}.${payloadSegment}`;
  const hash = alg === "EdDSA" ? null : "sha256";
  const signature = cryptoSign(hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

/** The token with its payload replaced, signature kept. */
export function withPayload(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split(".");
  return `${header}.${b64(payload)}.${signature}`;
}

/** The token with one signature character changed. */
export function withBrokenSignature(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const first = signature[0] === "A" ? "B" : "A";
  return `${header}.${payload}.${first}${signature.slice(1)}`;
}

export function signatureOf(token: string): string {
  return token.split(".")[2] ?? "";
}

/** A local HTTP listener on 127.0.0.1 that counts connections and requests. */
export async function startListener(
  handler: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => {
    response.writeHead(404).end();
  },
) {
  const stats = { connections: 0, requests: 0 };
  const server = createServer((request, response) => {
    stats.requests += 1;
    handler(request, response);
  });
  server.on("connection", () => {
    stats.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A JWKS endpoint whose key set the test can change; `stats.requests` counts fetches. */
export async function startJwksServer(keys: JWK[]) {
  let current: { keys: JWK[] } = { keys };
  let status = 200;
  const listener = await startListener((_, response) => {
    if (status !== 200) {
      response.writeHead(status).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(current));
  });
  return {
    ...listener,
    jwksUrl: `${listener.url}/.well-known/jwks.json`,
    serve(next: JWK[]) {
      current = { keys: next };
    },
    failWith(next: number) {
      status = next;
    },
  };
}

export async function temporaryDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "teams-auth-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `promise` and returns what it threw (failing the test if it did not throw). */
export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** Every message and name in an error's cause chain, for checks that the token never leaks. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth += 1) {
    parts.push(current.name, current.message, current.stack ?? "");
    current = current.cause;
  }
  return parts.join("\n");
}
