import { sign } from "node:crypto";
import type { SigningKey } from "./signing-keys.js";

// The service's access tokens signed with node:crypto rather than jose's `SignJWT`. jose signs
// through WebCrypto, which runs every signature as a job on libuv's thread pool behind promises:
// in a loop 300 µs of CPU a token against 58 µs for the same ES256 signature made synchronously,
// and in the running server about 80 µs of CPU a request of issuing a delegated token or
// refreshing one (bench/RESULTS.md, 2026-12-04). Verifying stays with jose (`jwtVerify`), which
// checks the claims as well as the signature.
//
// Contract: `signCompactJws(header, claims, key)` answers what jose's
// `new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey)` answers: the same header
// and payload segments (the base64url of `JSON.stringify` of each), and a signature jose verifies
// with the key's public half (ES256 in the 64-byte IEEE P1363 form of RFC 7518 §3.4; Ed25519 is
// deterministic, so an EdDSA token is jose's byte for byte). `compact-jws.test.ts` holds it to jose.

/** The protected header of a token the service signs. */
export interface JwsHeader {
  alg: SigningKey["alg"];
  kid: string;
  typ: string;
}

/** A JWS in compact serialization (RFC 7515 §7.1) of `claims` under `header`, signed by `key`. */
export function signCompactJws(header: JwsHeader, claims: object, key: SigningKey): string {
  if (header.alg !== key.alg) throw new Error(`the header's alg ${header.alg} is not the key's`);
  const input = `${segment(header)}.${segment(claims)}`;
  const data = Buffer.from(input);
  const signature =
    key.alg === "ES256"
      ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : sign(null, data, key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
