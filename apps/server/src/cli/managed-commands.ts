import { parseArgs } from "node:util";
import type { Principal, Teams } from "@teams/core";
import { UsageError } from "./usage-error.js";

// `teams managed`: a coach's managed users from the command line, through the same core operations
// and rules as `/api/v1/users/...` (the operator acts as the manager named by `--as`).

export const managedHelp = `teams managed: a manager's managed users (as /api/v1/users/...)

Usage: teams managed list --as <manager id> [--no-managed] [--no-shared]
       teams managed create --as <manager id> --first-name <name> [--last-name <name>]
       teams managed show --as <manager id> <user id>
       teams managed rename --as <manager id> <user id> [--first-name <name>] [--last-name <name>]
       teams managed delete --as <manager id> <user id>   (with its memberships and authorizations)`;

const options = {
  as: { type: "string" },
  "first-name": { type: "string" },
  "last-name": { type: "string" },
  "no-managed": { type: "boolean" },
  "no-shared": { type: "boolean" },
} as const;

/** Runs one `teams managed` command; answers what to print. */
export async function managedCommand(args: string[], teams: Teams): Promise<unknown> {
  const [action, ...rest] = args;
  const usage = "See: teams managed --help";
  const { values, positionals } = parseArgs({
    args: rest,
    options,
    allowPositionals: true,
    strict: true,
  });
  if (!values.as) throw new UsageError(`--as <manager id> is required. ${usage}`);
  // The manager acting for itself: a regular (not delegated) principal, as its own token would be.
  const manager: Principal = { userId: values.as, authorizedParty: null, scopes: [] };
  const wanted = action === "list" || action === "create" ? 0 : 1;
  if (positionals.length !== wanted)
    throw new UsageError(`expected ${wanted} argument(s). ${usage}`);
  const userId = positionals[0] ?? "";
  const names = {
    ...(values["first-name"] !== undefined ? { first_name: values["first-name"] } : {}),
    ...(values["last-name"] !== undefined ? { last_name: values["last-name"] } : {}),
  };
  switch (action) {
    case "list":
      return (
        await teams.listUsers(manager, {
          include_managed: !values["no-managed"],
          include_shared: !values["no-shared"],
        })
      ).items;
    case "create":
      return teams.createManagedUser(manager, { last_name: null, ...names });
    case "show":
      return teams.getManagedUser(manager, userId);
    case "rename":
      return teams.updateManagedUser(manager, userId, names);
    case "delete":
      await teams.deleteManagedUser(manager, userId);
      return { deleted: userId };
    default:
      throw new UsageError(`unknown action "${action ?? ""}". ${usage}`);
  }
}
