import { parseArgs } from "node:util";
import { type Authenticator, createAuthenticator } from "@teams/auth";
import type { Config } from "../config.js";
import { UsageError } from "./usage-error.js";

export const tokenHelp = `teams token: mint a development token (development mode only)

Usage: teams token --sub <user id> [--azp <manager id>] [--scope "<scopes>"] [--ttl <seconds>]
                   [--given-name <name>] [--family-name <name>] [--link]

  --sub          the user the token acts as (required)
  --azp          the authorized party; with a managed user's --sub, a delegated token
  --scope        space-separated scopes (default "data:read data:write profile")
  --ttl          lifetime in seconds (default 3600)
  --given-name, --family-name   names recorded when the user is first seen
  --link         print a link that signs a browser in as --sub (sets the token cookie) and opens
                 the page of its authorized teams, instead of the bare token

The token is signed with the development key of the server's data folder (TEAMS_DATA_DIR, by
default the folder of TEAMS_DATABASE), which the server publishes at /.well-known/jwks.json.`;

/**
 * The development key's issuer, for the commands that mint tokens; refused (UsageError) in a
 * configuration that verifies tokens issued elsewhere, whose server would not accept them.
 */
export async function developmentIssuer(
  command: string,
  config: Config,
): Promise<{ mintToken: NonNullable<Authenticator["mintToken"]> }> {
  if (!config.development) {
    throw new UsageError(
      `${command} works in development mode only: this configuration verifies tokens issued elsewhere`,
    );
  }
  const authenticator = await createAuthenticator({
    dataDir: config.dataDir,
    ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
    ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
  });
  const { mintToken } = authenticator;
  if (!mintToken) throw new UsageError(`${command}: development mode is not available`);
  return { mintToken };
}

/** Prints a token signed with the development key. */
export async function tokenCommand(args: string[], config: Config): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: "string" },
      azp: { type: "string" },
      scope: { type: "string", default: "data:read data:write profile" },
      ttl: { type: "string", default: "3600" },
      "given-name": { type: "string" },
      "family-name": { type: "string" },
      link: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.sub) throw new UsageError("--sub is required (the user the token acts as)");
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new UsageError("--ttl must be a positive number of seconds");
  const { mintToken } = await developmentIssuer("teams token", config);
  const token = await mintToken({
    sub: values.sub,
    ...(values.azp ? { azp: values.azp } : {}),
    scope: values.scope,
    ttlSeconds,
    ...(values["given-name"] ? { given_name: values["given-name"] } : {}),
    ...(values["family-name"] ? { family_name: values["family-name"] } : {}),
  });
  return values.link ? signInLink(config, token) : token;
}

/** The server's development sign-in page with `token`, at the address the server listens on. */
export function signInLink(config: Pick<Config, "host" | "port">, token: string): string {
  // A server listening on every interface is reached, from this machine, on loopback.
  const host =
    config.host === "0.0.0.0" ? "127.0.0.1" : config.host === "::" ? "[::1]" : config.host;
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${bracketed}:${config.port}/dev/sign-in?token=${encodeURIComponent(token)}`;
}
