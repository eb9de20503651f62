#!/usr/bin/env node
// The `teams` command line (the `bin` of @teams/server; `npx -y pnpm@12.4.2 teams` in this
// repository). Every command has the API's rules: it calls the same core operations. Errors are
// one line on stderr; exit code 2 for a command line that cannot run (UsageError, configuration),
// 1 for a command that ran and failed.
import { createTeams, TeamsError } from "@teams/core";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { packageVersion } from "../package-version.js";
import { openStore } from "../store.js";
import { adminCommand, adminHelp } from "./admin-commands.js";
import { backupCommand, backupHelp, restoreCommand, restoreHelp } from "./backup-commands.js";
import { delegateCommand, delegateHelp } from "./delegate-command.js";
import { demoHelp, demoPeople, loadDemo } from "./demo-command.js";
import { keysCommand, keysHelp } from "./keys-command.js";
import { managedCommand, managedHelp } from "./managed-commands.js";
import { migrateCommand, migrateHelp } from "./migrate-command.js";
import { rerunWithServiceFlags, startCommand, startHelp } from "./start-command.js";
import { developmentIssuer, tokenCommand, tokenHelp } from "./token-command.js";
import { isUsageError, UsageError } from "./usage-error.js";
import { webhooksCommand, webhooksHelp } from "./webhook-commands.js";

const help = `teams: the Teams service's command line

Usage: teams <command> [options]     (teams <command> --help for its options)
       teams --version

Commands:
  start     run the service
  token     mint a development token
  user      put or delete a user (administration)
  team      put or delete a team (administration)
  member    put or remove a team member (administration)
  managed   list, create, show, rename or delete a manager's managed users
  webhooks  put, list, get or delete webhook subscriptions, and their deliveries
  migrate   bring the database's schema to this release's version (--status, --dry-run)
  backup    copy the running SQLite database and its keys (online backup)
  restore   put a backup back, the server stopped
  keys      rotate the service's signing key
  demo      load a small demo world and print tokens to try it with

Configuration comes from the same environment variables as the server (TEAMS_DATABASE, ...).
Exit codes: 0 done, 1 the command failed, 2 the command line or the configuration is wrong.`;

async function withTeams<T>(
  config: Config,
  fn: (teams: ReturnType<typeof createTeams>) => Promise<T>,
): Promise<T> {
  const store = await openStore(config.database, config.postgres);
  try {
    return await fn(
      createTeams({
        db: store.db,
        kind: store.kind,
        historyRetention: config.historyRetention,
        webhooks: { allowPrivate: config.webhooksAllowPrivate },
      }),
    );
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const wantsHelp = args.includes("--help") || args.includes("-h");
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(help);
    return;
  }
  if (command === "--version" || command === "-v") {
    console.log(packageVersion());
    return;
  }
  const helps: Record<string, string> = {
    start: startHelp,
    token: `${tokenHelp}\n\n${delegateHelp}`,
    migrate: migrateHelp,
    backup: backupHelp,
    restore: restoreHelp,
    keys: keysHelp,
    demo: demoHelp,
    ...adminHelp,
    managed: managedHelp,
    webhooks: webhooksHelp,
  };
  const commandHelp = helps[command];
  if (commandHelp === undefined)
    throw new UsageError(`unknown command "${command}" (try: teams --help)`);
  if (wantsHelp) {
    console.log(commandHelp);
    return;
  }
  const config = loadConfig();
  if (command === "start") {
    if (args.length > 0)
      throw new UsageError("teams start takes no arguments (see teams start --help)");
    const rerun = rerunWithServiceFlags();
    if (rerun) process.exit(await rerun);
    await startCommand(config);
  } else if (
    command === "token" &&
    args.some((a) => a === "--delegate" || a.startsWith("--delegate="))
  ) {
    const pair = await withTeams(config, (teams) => delegateCommand(args, config, teams));
    console.log(JSON.stringify(pair, null, 2));
  } else if (command === "token") {
    console.log(await tokenCommand(args, config));
  } else if (command === "keys") {
    console.log(await keysCommand(args, config));
  } else if (command === "migrate") {
    console.log(await migrateCommand(args, config));
  } else if (command === "backup") {
    console.log(await backupCommand(args, config));
  } else if (command === "restore") {
    console.log(await restoreCommand(args, config));
  } else if (command === "user" || command === "team" || command === "member") {
    const result = await withTeams(config, (teams) => adminCommand(command, args, teams));
    console.log(JSON.stringify(result, null, 2));
  } else if (command === "managed") {
    const result = await withTeams(config, (teams) => managedCommand(args, teams));
    console.log(JSON.stringify(result, null, 2));
  } else if (command === "webhooks") {
    const result = await withTeams(config, (teams) => webhooksCommand(args, teams));
    console.log(JSON.stringify(result, null, 2));
  } else if (command === "demo") {
    if (args.length > 0) throw new UsageError("teams demo takes no arguments");
    // Refused before anything is written: the demo's tokens need the development key.
    const authenticator = await developmentIssuer("teams demo", config);
    await withTeams(config, loadDemo);
    const base = `http://${config.host}:${config.port}`;
    console.log("Demo world loaded: team club (Harbour Rowing Club); see `teams demo --help`.\n");
    console.log("Tokens (valid 24 hours):");
    for (const person of demoPeople) {
      const token = await authenticator.mintToken({
        sub: person.sub,
        ...("azp" in person ? { azp: person.azp } : {}),
        scope: "data:read data:write profile",
        ttlSeconds: 86_400,
      });
      console.log(`export ${person.name}=${token}   # ${person.note}`);
    }
    console.log("\nTry:");
    console.log(`  curl -H "Authorization: Bearer $TOKEN_COACH" ${base}/api/v1/teams/club/users`);
    console.log(`  curl -H "Authorization: Bearer $TOKEN_CARL" ${base}/api/v1/teams/authorized`);
    console.log(
      `  curl -X POST -H "Authorization: Bearer $TOKEN_BEN_BY_COACH" -H "Content-Type: application/json" -d '{"scopes":["data:read","profile"]}' ${base}/api/v1/teams/club/authorize`,
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message =
    error instanceof TeamsError && "issues" in error
      ? (error as TeamsError & { issues: { loc: unknown[]; msg: string }[] }).issues
          .map((i) => `${i.loc.join(".")}: ${i.msg}`)
          .join("; ")
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`teams: ${message.split("\n").join(" ")}`);
  process.exit(isUsageError(error) || error instanceof ConfigError ? 2 : 1);
});
