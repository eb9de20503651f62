// Tokens the service signs (DESIGN §6): their claims, their kinds, and the forgeries refused.
import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { NotAuthenticated } from "@teams/core";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  caught,
  claims,
  encoder,
  makeKey,
  sign,
  signRaw,
  T,
  temporaryDir,
  testClock,
  unsigned,
  withBrokenSignature,
  withPayload,
} from "../test/support.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { AuthConfigurationError } from "./configuration-error.js";
import type { ServiceTokenRequest } from "./service-tokens.js";
import { SIGNING_KEYS_FILE } from "./signing-keys.js";

const ISSUER = "https://teams.example";
const SECRET = "a-test-secret-of-at-least-32-bytes!";

let dir: Awaited<ReturnType<typeof temporaryDir>>;
let time: ReturnType<typeof testClock>;
let auth: Authenticator;
beforeEach(async () => {
  dir = await temporaryDir();
  time = testClock();
  auth = await service();
});
afterEach(() => dir.remove());

const service = (extra: Record<string, unknown> = {}) =>
  createAuthenticator({
    jwtSecret: SECRET,
    serviceIssuer: ISSUER,
    dataDir: join(dir.path, "data"),
    clock: time.clock,
    ...extra,
  });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const kid = () => (auth.publicJwks.keys[0] as { kid: string }).kid;

const delegated: ServiceTokenRequest = {
  kind: "delegated",
  sub: "athlete",
  actor: "coach",
  scopes: ["data:read", "profile"],
  ttlSeconds: 900,
};

describe("issueToken", () => {
  it("signs a delegated token with the claims of DESIGN §6", async () => {
    const issued = await auth.issueToken({
      ...delegated,
      teamId: "club",
      actorGrant: { scopes: ["data:read", "data:write", "profile"], exp: T + 3000 },
    });
    expect(issued).toMatchObject({ exp: T + 900, expiresIn: 900 });
    expect(decodeProtectedHeader(issued.token)).toEqual({
      alg: "ES256",
      kid: kid(),
      typ: "at+jwt",
    });
    const payload = decodeJwt(issued.token);
    expect(payload).toEqual({
      iss: ISSUER,
      sub: "athlete",
      azp: "coach",
      act: { sub: "coach" },
      scope: "data:read profile",
      team_id: "club",
      teams_kind: "delegated",
      teams_actor_grant: { scopes: ["data:read", "data:write", "profile"], exp: T + 3000 },
      jti: issued.jti,
      iat: T,
      exp: T + 900,
    });
    expect(issued.jti.length).toBeGreaterThanOrEqual(20);
    expect(await auth.authenticate(bearer(issued.token))).toEqual({
      principal: {
        userId: "athlete",
        authorizedParty: "coach",
        scopes: ["data:read", "profile"],
        teamId: "club",
      },
      identity: null,
      token: {
        issuer: "service",
        kind: "delegated",
        jti: issued.jti,
        exp: T + 900,
        actorGrant: { scopes: ["data:read", "data:write", "profile"], exp: T + 3000 },
      },
    });
  });

  it.each(["principal", "session"] as const)("signs a %s token: a regular token", async (kind) => {
    const issued = await auth.issueToken({
      kind,
      sub: "ada",
      scopes: ["data:read"],
      ttlSeconds: 600,
      given_name: "Ada",
      family_name: "Lovelace",
    });
    const payload = decodeJwt(issued.token);
    expect(payload).not.toHaveProperty("azp");
    expect(payload).not.toHaveProperty("act");
    expect(payload).toMatchObject({ teams_kind: kind, iss: ISSUER });
    expect(await auth.authenticate(bearer(issued.token))).toEqual({
      principal: { userId: "ada", authorizedParty: null, scopes: ["data:read"] },
      identity: { id: "ada", first_name: "Ada", last_name: "Lovelace", iat: T },
      token: { issuer: "service", kind, jti: issued.jti, exp: T + 600 },
    });
  });

  it("gives every token its own jti", async () => {
    const jtis = new Set<string>();
    for (let i = 0; i < 20; i += 1) jtis.add((await auth.issueToken(delegated)).jti);
    expect(jtis.size).toBe(20);
  });

  it("ends a token at notAfter when that comes first", async () => {
    const issued = await auth.issueToken({ ...delegated, notAfter: T + 120 });
    expect(issued).toMatchObject({ exp: T + 120, expiresIn: 120 });
    expect(decodeJwt(issued.token).exp).toBe(T + 120);
    expect((await auth.issueToken({ ...delegated, notAfter: T + 5000 })).exp).toBe(T + 900);
  });

  it("carries the configured audience, and checks it", async () => {
    const withAudience = await service({ audience: "teams-api" });
    const { token } = await withAudience.issueToken(delegated);
    expect(decodeJwt(token).aud).toBe("teams-api");
    expect((await withAudience.authenticate(bearer(token))).token.issuer).toBe("service");
    // The same key without the audience: a token for another audience is refused.
    const other = await service({ audience: "another-api" });
    expect(await caught(other.authenticate(bearer(token)))).toBeInstanceOf(NotAuthenticated);
  });

  it.each<[string, Partial<ServiceTokenRequest>]>([
    ["a lifetime beyond maxTokenTtlSeconds", { ttlSeconds: 28_801 }],
    ["no lifetime", { ttlSeconds: 0 }],
    ["a fractional lifetime", { ttlSeconds: 1.5 }],
    ["a notAfter already past", { notAfter: T }],
    ["a delegated token without an actor", { actor: undefined }],
    ["a delegated token acting for itself", { actor: "athlete" }],
    ["an empty sub", { sub: "" }],
    ["a sub of 256 characters", { sub: "x".repeat(256) }],
    ["a scope with a space", { scopes: ["data:read profile"] }],
    ["an empty scope", { scopes: [""] }],
    ["a principal token with an actor", { kind: "principal" }],
    ["a session token through a team", { kind: "session", actor: undefined, teamId: "club" }],
    ["an unknown kind", { kind: "admin" as "principal" }],
  ])("refuses %s", async (_, change) => {
    await expect(auth.issueToken({ ...delegated, ...change })).rejects.toBeInstanceOf(RangeError);
  });

  it("honours a smaller maxTokenTtlSeconds", async () => {
    const short = await service({ maxTokenTtlSeconds: 600 });
    await expect(short.issueToken(delegated)).rejects.toBeInstanceOf(RangeError);
    expect((await short.issueToken({ ...delegated, ttlSeconds: 600 })).expiresIn).toBe(600);
  });
});

describe("verification", () => {
  it("refuses a token past its exp (with the clock tolerance)", async () => {
    const { token } = await auth.issueToken(delegated);
    time.set(T + 900 + 29);
    expect((await auth.authenticate(bearer(token))).principal.userId).toBe("athlete");
    time.set(T + 900 + 30);
    expect(await caught(auth.authenticate(bearer(token)))).toBeInstanceOf(NotAuthenticated);
  });

  it("keeps verifying the configured source's tokens beside the service's", async () => {
    const external = await sign(encoder.encode(SECRET), "HS256", claims({ sub: "eve" }));
    expect((await auth.authenticate(bearer(external))).token).toEqual({
      issuer: "external",
      exp: T + 600,
    });
  });

  describe("refuses forgeries", () => {
    const forgeries: [string, () => Promise<string>][] = [
      [
        "a tampered payload",
        async () => {
          const { token } = await auth.issueToken(delegated);
          return withPayload(token, { ...decodeJwt(token), scope: "admin" });
        },
      ],
      [
        "a broken signature",
        async () => withBrokenSignature((await auth.issueToken(delegated)).token),
      ],
      [
        "a stranger's key with our kid",
        () =>
          sign(makeKey.p256().privateKey, "ES256", serviceClaims(), { kid: kid(), typ: "at+jwt" }),
      ],
      [
        "our iss and no kid (signed by a stranger)",
        () => sign(makeKey.p256().privateKey, "ES256", serviceClaims(), { typ: "at+jwt" }),
      ],
      [
        "our iss and an unknown kid",
        () =>
          sign(makeKey.p256().privateKey, "ES256", serviceClaims(), { kid: "nope", typ: "at+jwt" }),
      ],
      [
        "our iss signed with the configured secret (no fallback to the other source)",
        () => sign(encoder.encode(SECRET), "HS256", serviceClaims(), { kid: kid(), typ: "at+jwt" }),
      ],
      ["alg none with our kid", async () => unsigned("none", serviceClaims())],
      [
        "HS256 with our public JWK as the secret",
        () =>
          sign(encoder.encode(JSON.stringify(auth.publicJwks.keys[0])), "HS256", serviceClaims(), {
            kid: kid(),
            typ: "at+jwt",
          }),
      ],
      [
        "HS256 with our key's x coordinate as the secret",
        () =>
          sign(
            encoder.encode((auth.publicJwks.keys[0] as { x: string }).x),
            "HS256",
            serviceClaims(),
            {
              kid: kid(),
              typ: "at+jwt",
            },
          ),
      ],
      [
        "our key, but the typ of another kind of token",
        async () => signWithOurKey({ typ: "JWT" }, serviceClaims()),
      ],
      [
        "our key, but no kind",
        async () => signWithOurKey({ typ: "at+jwt" }, serviceClaims({ teams_kind: undefined })),
      ],
      [
        "our key, but no jti",
        async () => signWithOurKey({ typ: "at+jwt" }, serviceClaims({ jti: undefined })),
      ],
      [
        "our key, but no exp",
        async () => signWithOurKey({ typ: "at+jwt" }, serviceClaims({ exp: undefined })),
      ],
      [
        "our key, a principal token with azp",
        async () =>
          signWithOurKey(
            { typ: "at+jwt" },
            serviceClaims({ teams_kind: "principal", azp: "coach" }),
          ),
      ],
      [
        "our key, iat far in the future",
        async () => signWithOurKey({ typ: "at+jwt" }, serviceClaims({ iat: T + 120 })),
      ],
    ];
    it("(the control: our key with every claim right is accepted)", async () => {
      const token = await signWithOurKey({ typ: "at+jwt" }, serviceClaims());
      expect((await auth.authenticate(bearer(token))).token.kind).toBe("principal");
    });

    it.each(forgeries)("%s", async (_, forge) => {
      const error = await caught(auth.authenticate(bearer(await forge())));
      expect(error).toBeInstanceOf(NotAuthenticated);
      expect(error.message).toBe("Could not validate credentials");
    });
  });
});

describe("configuration", () => {
  it.each([
    ["a path", "https://teams.example/api"],
    ["not http(s)", "ftp://teams.example"],
    ["not a URL", "teams.example"],
    ["a query", "https://teams.example/?x=1"],
  ])("refuses a serviceIssuer with %s", async (_, serviceIssuer) => {
    expect(await caught(service({ serviceIssuer }))).toBeInstanceOf(AuthConfigurationError);
  });

  it("reads a serviceIssuer with a trailing slash as its origin", async () => {
    const slash = await service({ serviceIssuer: "https://teams.example/" });
    expect(slash.serviceIssuer).toBe(ISSUER);
    const { token } = await slash.issueToken(delegated);
    expect(decodeJwt(token).iss).toBe(ISSUER);
  });

  it.each([ISSUER, `${ISSUER}/`])(
    "refuses a configured issuer %s equal to the service's",
    async (issuer) => {
      const error = await caught(service({ issuer }));
      expect(error).toBeInstanceOf(AuthConfigurationError);
    },
  );

  it("refuses an externalAzp other than client or actor", async () => {
    expect(await caught(service({ externalAzp: "both" }))).toBeInstanceOf(AuthConfigurationError);
  });
});

describe("an external azp (TEAMS_EXTERNAL_AZP)", () => {
  const external = (extra: Record<string, unknown>) =>
    sign(encoder.encode(SECRET), "HS256", claims({ sub: "athlete", ...extra }));

  it("is a client id by default: the token is a regular token of its subject", async () => {
    const { principal, identity } = await auth.authenticate(
      bearer(await external({ azp: "mobile-app" })),
    );
    expect(principal.authorizedParty).toBeNull();
    expect(identity?.id).toBe("athlete");
  });

  it("makes a delegated token through act.sub by default", async () => {
    const { principal, identity } = await auth.authenticate(
      bearer(await external({ azp: "mobile-app", act: { sub: "coach" } })),
    );
    expect(principal.authorizedParty).toBe("coach");
    expect(identity).toBeNull();
  });

  it('is the acting user with externalAzp "actor"', async () => {
    const actor = await service({ externalAzp: "actor" });
    const { principal } = await actor.authenticate(bearer(await external({ azp: "coach" })));
    expect(principal.authorizedParty).toBe("coach");
  });
});

function serviceClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: "athlete",
    scope: "admin",
    teams_kind: "principal",
    jti: "forged",
    iat: T,
    exp: T + 600,
    ...extra,
  };
}

/** Signs with the service's real private key, from the key file: what only a key thief could do. */
async function signWithOurKey(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const stored = JSON.parse(await readFile(join(dir.path, "data", SIGNING_KEYS_FILE), "utf8"));
  const privateKey = createPrivateKey({ key: stored.current, format: "jwk" });
  const defined = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
  const b64 = Buffer.from(JSON.stringify(defined)).toString("base64url");
  return signRaw(privateKey, "ES256", { kid: kid(), ...header }, b64);
}

describe("with development mode off and no identity provider's key (mode service)", () => {
  const serviceOnly = (extra: Record<string, unknown> = {}) =>
    service({ jwtSecret: undefined, developmentMode: false, ...extra });

  it("verifies the service's session tokens and refuses every other token, with no development key", async () => {
    const only = await serviceOnly();
    expect(only.mode).toBe("service");
    expect(only.mintToken).toBeUndefined();
    const { token } = await only.issueToken({
      kind: "session",
      sub: "ann",
      scopes: ["data:read"],
      ttlSeconds: 3600,
      given_name: "Ann",
    });
    const found = await only.authenticate({ cookie: `token=${token}` });
    expect(found.principal.userId).toBe("ann");
    expect(found.identity?.first_name).toBe("Ann");
    expect(found.token.kind).toBe("session");
    const foreign = await sign(encoder.encode(SECRET), "HS256", claims({ sub: "mallory" }));
    expect(await caught(only.authenticate(bearer(foreign)))).toBeInstanceOf(NotAuthenticated);
    // Only the service's own key is published: no development key was made.
    expect(only.publicJwks.keys).toHaveLength(1);
  });

  it("is refused without a serviceIssuer, since no token could verify", async () => {
    const error = await caught(serviceOnly({ serviceIssuer: undefined }));
    expect(error).toBeInstanceOf(AuthConfigurationError);
  });
});
