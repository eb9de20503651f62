// Performs WRITE_PLAN from a given position, one awaited operation at a time, printing each
// operation's index once it is acknowledged; then waits to be killed. Usage: plan-writer.ts <file> <from>
import { createTeams } from "@teams/core";
import { delegated } from "@teams/core/testing";
import { openSqliteStore } from "../../src/index.js";
import { PLAN_MANAGER, PLAN_TEAM, WRITE_PLAN } from "../support/write-plan.js";

const [filename, fromArg] = process.argv.slice(2);
if (!filename || !fromArg) throw new Error("usage: plan-writer.ts <file> <from>");
const store = await openSqliteStore({ filename });
const teams = createTeams(store);
for (let i = Number(fromArg); i < WRITE_PLAN.length; i++) {
  const op = WRITE_PLAN[i];
  if (!op) break;
  const manager = delegated(op.user, PLAN_MANAGER);
  if (op.kind === "authorize") await teams.authorizeTeam(manager, PLAN_TEAM, { scopes: op.scopes });
  else await teams.revokeTeam(manager, PLAN_TEAM);
  // Writes to a pipe are synchronous in Node on Linux: once this returns the parent will read it.
  process.stdout.write(`${i}\n`);
}
process.stdout.write("done\n");
setInterval(() => {}, 60_000);
