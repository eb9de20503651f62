import { parseArgs } from "node:util";
import type { Principal, Teams } from "@teams/core";
import { UsageError } from "./usage-error.js";

// `teams user|team|member`: the administration API from the command line, through the same core
// operations and rules (an operator acts as the platform, with the admin scope).

const operator: Principal = { userId: "teams-cli", authorizedParty: null, scopes: ["admin"] };

export const adminHelp = {
  user: `teams user: put or delete a user (as PUT/DELETE /api/v1/admin/users/{id})

Usage: teams user put <id> [--first-name <name>] [--last-name <name>] [--manager <manager id>]
       teams user delete <id>        (also deletes the users it manages)`,
  team: `teams team: put or delete a team (as PUT/DELETE /api/v1/admin/teams/{id})

Usage: teams team put <id> --name <name> --url <url> --image <url> --privacy-statement <url>
                          [--description <text>]
       teams team delete <id>        (with its memberships and authorizations)`,
  member: `teams member: put or remove a member (as PUT/DELETE /api/v1/admin/teams/{id}/members/{user})

Usage: teams member put <team id> <user id> --role owner|member
       teams member delete <team id> <user id>     (never a team's last owner)`,
};

type Options = Record<string, { type: "string" }>;

function parse(args: string[], options: Options, positionals: number, usage: string) {
  const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  if (parsed.positionals.length !== positionals)
    throw new UsageError(`expected ${positionals} argument(s). ${usage}`);
  return parsed;
}

/** Runs one administration command; answers what to print. */
export async function adminCommand(
  group: keyof typeof adminHelp,
  args: string[],
  teams: Teams,
): Promise<unknown> {
  const [action, ...rest] = args;
  const usage = `See: teams ${group} --help`;
  if (group === "user" && action === "put") {
    const { values, positionals } = parse(
      rest,
      {
        "first-name": { type: "string" },
        "last-name": { type: "string" },
        manager: { type: "string" },
      },
      1,
      usage,
    );
    return teams.adminPutUser(operator, positionals[0] ?? "", {
      first_name: values["first-name"] ?? null,
      last_name: values["last-name"] ?? null,
      manager_id: values.manager ?? null,
    });
  }
  if (group === "team" && action === "put") {
    const { values, positionals } = parse(
      rest,
      {
        name: { type: "string" },
        description: { type: "string" },
        url: { type: "string" },
        image: { type: "string" },
        "privacy-statement": { type: "string" },
      },
      1,
      usage,
    );
    return teams.adminPutTeam(operator, positionals[0] ?? "", {
      name: values.name,
      description: values.description ?? "",
      url: values.url,
      image: values.image,
      privacy_statement: values["privacy-statement"],
    });
  }
  if (group === "member" && action === "put") {
    const { values, positionals } = parse(rest, { role: { type: "string" } }, 2, usage);
    return teams.adminPutMember(operator, positionals[0] ?? "", positionals[1] ?? "", {
      role: values.role,
    });
  }
  if (action === "delete") {
    const count = group === "member" ? 2 : 1;
    const { positionals } = parse(rest, {}, count, usage);
    const [first = "", second = ""] = positionals;
    if (group === "user") await teams.adminDeleteUser(operator, first);
    else if (group === "team") await teams.adminDeleteTeam(operator, first);
    else await teams.adminDeleteMember(operator, first, second);
    return { deleted: positionals.join("/") };
  }
  throw new UsageError(`unknown action "${action ?? ""}". ${usage}`);
}
