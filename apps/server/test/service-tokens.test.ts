// The service's own tokens over HTTP beside a configured identity provider (DESIGN §6): its keys
// at /.well-known/jwks.json, its tokens accepted by the API, an external azp read as a client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Authenticator, createAuthenticator } from "@teams/auth";
import { decodeProtectedHeader, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../src/config.js";
import { type RunningServer, startServer } from "../src/server.js";
import { SECRET, token } from "./harness.js";

let dir: string;
let config: Config;
let server: RunningServer;
/** Another process of the same deployment: it reads the same key file. */
let issuer: Authenticator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "teams-service-tokens-"));
  config = loadConfig(
    {
      PORT: "0",
      TEAMS_DATABASE: join(dir, "teams.db"),
      TEAMS_JWT_SECRET: SECRET,
      TEAMS_PUBLIC_URL: "https://teams.example",
      TEAMS_LOG: "off",
    },
    dir,
  );
  server = await startServer(config, undefined);
  issuer = await createAuthenticator({
    jwtSecret: SECRET,
    serviceIssuer: config.serviceIssuer,
    dataDir: config.dataDir,
  });
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const teams = (bearer: string) =>
  fetch(`${server.url}/api/v1/teams/`, { headers: { authorization: `Bearer ${bearer}` } });

describe("beside TEAMS_JWT_SECRET", () => {
  it("serves the service's public key at /.well-known/jwks.json", async () => {
    expect(server.mode).toBe("secret");
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([
      {
        kty: "EC",
        crv: "P-256",
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: "ES256",
        use: "sig",
      },
    ]);
  });

  it("accepts a principal token the service issued, signed with the published key", async () => {
    const issued = await issuer.issueToken({
      kind: "principal",
      sub: "ada",
      scopes: ["data:read", "profile"],
      ttlSeconds: 600,
    });
    const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(decodeProtectedHeader(issued.token).kid).toBe(keys[0]?.kid);
    const response = await teams(issued.token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it("refuses a token with the service's iss that the service did not sign", async () => {
    // Signed with the identity provider's secret: valid for it, but not a token of the service.
    const forged = await signed({
      iss: "https://teams.example",
      teams_kind: "principal",
      jti: "x",
    });
    const response = await teams(forged);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: "Could not validate credentials" });
  });

  it("reads an external token's azp as an OAuth client by default: a regular token", async () => {
    const response = await teams(await token({ sub: "ada", azp: "mobile-app" }));
    expect(response.status).toBe(200);
  });

  it("reads an external token's act.sub as the acting user", async () => {
    // ada manages nobody: a token delegated to her by someone who is not her manager is refused.
    const response = await teams(await signed({ act: { sub: "mallory" } }));
    expect(response.status).toBe(401);
  });
});

/** An HS256 token of the configured identity provider for ada, with extra claims. */
function signed(extra: Record<string, unknown>): Promise<string> {
  return new SignJWT({ sub: "ada", scope: "data:read", ...extra })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(SECRET));
}
