import { createHmac } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { SECRET } from "../../harness.js";

// Tokens a server configured with the HS256 test secret must refuse: malformed, forged, tampered,
// expired, or valid in signature but with claims that name no principal. Built by hand where jose
// would refuse to build them.

const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64url");
const json = (value: unknown) => b64(JSON.stringify(value));
const now = () => Math.floor(Date.now() / 1000);

/** HS256 over `header.payload` with `secret`, exactly as the spec computes it (no checks). */
function hmac(signingInput: string, secret: string | Buffer, hash = "sha256"): string {
  return createHmac(hash, secret).update(signingInput).digest("base64url");
}

/** A compact JWS from raw parts, signed with HMAC (`alg` in the header is whatever is given). */
function handmade(
  header: Record<string, unknown>,
  payload: unknown,
  secret: string | Buffer = SECRET,
  hash = "sha256",
): string {
  const input = `${json(header)}.${typeof payload === "string" ? b64(payload) : json(payload)}`;
  return `${input}.${hmac(input, secret, hash)}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: "coach",
  scope: "data:read data:write profile admin",
  iat: now(),
  exp: now() + 3600,
  ...extra,
});

export interface ForgedToken {
  name: string;
  token: string;
  /** The 401 detail expected; every forged token is "Could not validate credentials". */
  detail: string;
  /** Set when the service answers otherwise today: a one-line description of the defect. */
  bug?: string;
}

/** Keys served by `jku`/`x5u` lures: the test counts requests to them (there must be none). */
export interface Lure {
  url: string;
}

export async function forgedTokens(lure: Lure): Promise<ForgedToken[]> {
  const valid = handmade({ alg: "HS256", typ: "JWT" }, claims());
  const [h, p, sig] = valid.split(".") as [string, string, string];
  const stranger = await generateKeyPair("ES256");
  const strangerRsa = await generateKeyPair("RS256", { modulusLength: 2048 });
  const strangerJwk = await exportJWK(stranger.publicKey);
  const flipped = `${sig.slice(0, -2)}${sig.at(-2) === "A" ? "B" : "A"}${sig.at(-1)}`;
  const tokens: [string, string][] = [
    ["not a JWT at all", "abc"],
    ["two segments", `${h}.${p}`],
    ["four segments", `${valid}.${sig}`],
    ["alg none, no signature", `${json({ alg: "none", typ: "JWT" })}.${p}.`],
    ["alg none, original signature kept", `${json({ alg: "none" })}.${p}.${sig}`],
    ["alg NONE in capitals", `${json({ alg: "NONE" })}.${p}.`],
    [
      "HS256 with another secret",
      handmade({ alg: "HS256" }, claims(), "another-secret-of-at-least-32-bytes!!"),
    ],
    [
      "HS512 with the right secret (algorithm not pinned?)",
      handmade({ alg: "HS512" }, claims(), SECRET, "sha512"),
    ],
    ["HS384 with the right secret", handmade({ alg: "HS384" }, claims(), SECRET, "sha384")],
    [
      "RS256 header over an HMAC of the secret (algorithm confusion)",
      handmade({ alg: "RS256" }, claims()),
    ],
    [
      "ES256 signed by a stranger's key",
      await new SignJWT(claims()).setProtectedHeader({ alg: "ES256" }).sign(stranger.privateKey),
    ],
    [
      "RS256 by a stranger, jku and x5u pointing at its keys",
      await new SignJWT(claims())
        .setProtectedHeader({
          alg: "RS256",
          jku: `${lure.url}/jwks.json`,
          x5u: `${lure.url}/cert.pem`,
          kid: "k1",
        })
        .sign(strangerRsa.privateKey),
    ],
    [
      "ES256 with its own key embedded (jwk header)",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "ES256", jwk: strangerJwk })
        .sign(stranger.privateKey),
    ],
    [
      "kid with a path traversal, wrong secret",
      handmade({ alg: "HS256", kid: "../../../../etc/passwd" }, claims(), "x".repeat(40)),
    ],
    [
      "expired ten minutes ago",
      handmade({ alg: "HS256" }, claims({ iat: now() - 7200, exp: now() - 600 })),
    ],
    ["no exp", handmade({ alg: "HS256" }, { sub: "coach", scope: "admin", iat: now() })],
    ["exp as a string", handmade({ alg: "HS256" }, claims({ exp: String(now() + 3600) }))],
    ["nbf ten minutes ahead", handmade({ alg: "HS256" }, claims({ nbf: now() + 600 }))],
    ["iat ten minutes ahead", handmade({ alg: "HS256" }, claims({ iat: now() + 600 }))],
    ["no sub", handmade({ alg: "HS256" }, claims({ sub: undefined }))],
    ["empty sub", handmade({ alg: "HS256" }, claims({ sub: "" }))],
    ["numeric sub", handmade({ alg: "HS256" }, claims({ sub: 42 }))],
    ["sub of 256 characters", handmade({ alg: "HS256" }, claims({ sub: "s".repeat(256) }))],
    ["azp a number", handmade({ alg: "HS256" }, claims({ azp: 7 }))],
    ["azp empty", handmade({ alg: "HS256" }, claims({ azp: "" }))],
    ["scope an array", handmade({ alg: "HS256" }, claims({ scope: ["admin"] }))],
    ["scopes a string", handmade({ alg: "HS256" }, claims({ scope: undefined, scopes: "admin" }))],
    ["payload not JSON, correctly signed", handmade({ alg: "HS256" }, "not json {")],
    ["header not JSON", `${b64("{alg:HS256")}.${p}.${hmac(`${b64("{alg:HS256")}.${p}`, SECRET)}`],
    ["signature truncated", `${h}.${p}.${sig.slice(0, 20)}`],
    ["signature with one character changed", `${h}.${p}.${flipped}`],
    [
      "payload swapped for another user's, signature kept",
      `${h}.${json(claims({ sub: "rival" }))}.${sig}`,
    ],
    [
      "crit header with an unknown extension",
      handmade({ alg: "HS256", crit: ["x-teams"], "x-teams": 1 }, claims()),
    ],
    [
      "b64 false (unencoded payload)",
      handmade({ alg: "HS256", b64: false, crit: ["b64"] }, claims()),
    ],
    [
      "JWE-shaped (five segments)",
      `${json({ alg: "dir", enc: "A256GCM" })}..${b64("iv")}.${b64("ct")}.${b64("tag")}`,
    ],
    ["8 KB of garbage", "x".repeat(8192)],
    [
      "standard base64 with padding instead of base64url",
      `${Buffer.from(JSON.stringify({ alg: "HS256" })).toString("base64")}.${Buffer.from(JSON.stringify(claims())).toString("base64")}.${sig}==`,
    ],
    ["leading and trailing dots", `.${valid}.`],
  ];
  const forged: ForgedToken[] = tokens.map(([name, token]) => ({
    name,
    token,
    detail: "Could not validate credentials",
  }));
  // A signed sub that cannot be an id (control character, broken UTF-16) is a bad credential.
  forged.push({
    name: "sub with a control character, correctly signed",
    token: handmade({ alg: "HS256" }, claims({ sub: "co\u0000ach" })),
    detail: "Could not validate credentials",
  });
  forged.push({
    name: "sub with a lone surrogate, correctly signed",
    token: handmade({ alg: "HS256" }, claims({ sub: "co\ud800ach" })),
    detail: "Could not validate credentials",
  });
  return forged;
}

/** A token of the HS256 test server signed correctly, for the rows that need a valid one. */
export function validToken(extra: Record<string, unknown> = {}): string {
  return handmade({ alg: "HS256", typ: "JWT" }, claims(extra));
}
