import { parseArgs } from "node:util";
import { createAuthenticator } from "@teams/auth";
import type { Principal, Teams } from "@teams/core";
import type { Config } from "../config.js";
import { signGrant } from "../oauth/token-response.js";
import { developmentIssuer } from "./token-command.js";
import { UsageError } from "./usage-error.js";

export const delegateHelp = `teams token --delegate: a delegated token pair, as POST /api/v1/oauth/delegated-token answers it

Usage: teams token --delegate <user id> --as <caller id> [--team <team id>] [--scope "<scopes>"]

  --delegate     the user the token acts as: a managed user of --as, or with --team a user who
                 authorized that team
  --as           the caller (a person, with a development token's scopes "data:read data:write profile")
  --team         delegate through this team, of which --as is a member
  --scope        space-separated scopes to narrow the token to (default all that may be granted)

Development mode only. Prints the token response (access_token, refresh_token, ...) as JSON; the
same rules as the endpoint decide, and the refresh token is stored as the endpoint stores it.`;

/** What the caller's own development token would carry, and how long it would live. */
const CALLER_SCOPES = ["data:read", "data:write", "profile"];
const CALLER_TTL_SECONDS = 3600;

/** Runs `teams token --delegate ...`: the token pair, through the core's rules. */
export async function delegateCommand(
  args: string[],
  config: Config,
  teams: Teams,
): Promise<unknown> {
  const { values } = parseArgs({
    args,
    options: {
      delegate: { type: "string" },
      as: { type: "string" },
      team: { type: "string" },
      scope: { type: "string" },
    },
    strict: true,
  });
  if (!values.delegate) throw new UsageError("--delegate <user id> is required");
  if (!values.as) throw new UsageError("--as <caller id> is required (who delegates)");
  // Refused outside development mode, as `teams token` is.
  await developmentIssuer("teams token --delegate", config);
  const authenticator = await createAuthenticator({
    dataDir: config.dataDir,
    serviceIssuer: config.serviceIssuer,
    ...(config.signingKey ? { signingKeyPem: config.signingKey } : {}),
  });
  const caller: Principal = { userId: values.as, authorizedParty: null, scopes: CALLER_SCOPES };
  const scopes = values.scope?.split(" ").filter((s) => s !== "");
  const granted = await teams.issueDelegation(
    caller,
    {
      sub: values.delegate,
      ...(values.team ? { team_id: values.team } : {}),
      ...(scopes ? { scopes } : {}),
    },
    { exp: Math.floor(Date.now() / 1000) + CALLER_TTL_SECONDS },
  );
  return signGrant(authenticator, config.delegatedTokenTtlSeconds, granted);
}
