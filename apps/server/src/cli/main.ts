// The `teams` command line: `pnpm teams <command>`.
import { loadConfig } from "../config.js";
import { tokenCommand, tokenHelp } from "./token-command.js";

const help = `teams: the Teams service's command line

Usage: teams <command> [options]     (teams <command> --help for its options)

Commands:
  token     mint a development token`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(help);
    return;
  }
  if (command === "token") {
    if (args.includes("--help") || args.includes("-h")) return void console.log(tokenHelp);
    console.log(await tokenCommand(args, loadConfig()));
    return;
  }
  throw new Error(`unknown command "${command}" (try: teams --help)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(
    `teams: ${error instanceof Error ? error.message.split("\n").join(" ") : String(error)}`,
  );
  process.exit(1);
});
