import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { Principal, Teams } from "@teams/core";
import { UsageError } from "./usage-error.js";

// `teams webhooks`: the webhook subscriptions of the administration API from the command line,
// through the same core operations and rules (an operator acts as the platform, with the admin
// scope).

const operator: Principal = { userId: "teams-cli", authorizedParty: null, scopes: ["admin"] };

export const webhooksHelp = `teams webhooks: webhook subscriptions (as /api/v1/admin/webhooks/...)

Usage: teams webhooks put <id> --url <url> [--secret whsec_...] [--event-types <type,type>]
           (without --secret a new one is made and printed once: give it to the receiver)
       teams webhooks list
       teams webhooks get <id>
       teams webhooks delete <id>
       teams webhooks deliveries <id> [--limit <n>] [--cursor <cursor>]

Event types: authorization.granted, authorization.updated, authorization.revoked (default all).
Receivers on loopback, private or link-local addresses are refused unless
TEAMS_WEBHOOKS_ALLOW_PRIVATE=1.`;

/** A new Standard Webhooks secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Runs one `teams webhooks` command; answers what to print. */
export async function webhooksCommand(args: string[], teams: Teams): Promise<unknown> {
  const [action, ...rest] = args;
  const usage = "See: teams webhooks --help";
  const parsed = parseArgs({
    args: rest,
    options: {
      url: { type: "string" },
      secret: { type: "string" },
      "event-types": { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const { values, positionals } = parsed;
  const expect = (count: number, allowed: string[]) => {
    if (positionals.length !== count)
      throw new UsageError(`expected ${count} argument(s). ${usage}`);
    const extra = Object.keys(values).filter((k) => !allowed.includes(k));
    if (extra.length > 0)
      throw new UsageError(`--${extra[0]} is not an option of "${action}". ${usage}`);
    return positionals[0] ?? "";
  };
  if (action === "put") {
    const id = expect(1, ["url", "secret", "event-types"]);
    const secret = values.secret ?? newWebhookSecret();
    const eventTypes = values["event-types"]?.split(",").map((t) => t.trim());
    const webhook = await teams.adminPutWebhook(operator, id, {
      url: values.url,
      secret,
      ...(eventTypes ? { event_types: eventTypes } : {}),
    });
    return values.secret === undefined ? { ...webhook, secret } : webhook;
  }
  if (action === "list") {
    expect(0, []);
    return teams.adminListWebhooks(operator);
  }
  if (action === "get") return teams.adminGetWebhook(operator, expect(1, []));
  if (action === "delete") {
    const id = expect(1, []);
    await teams.adminDeleteWebhook(operator, id);
    return { deleted: id };
  }
  if (action === "deliveries") {
    const id = expect(1, ["limit", "cursor"]);
    return teams.adminListWebhookDeliveries(operator, id, {
      ...(values.limit !== undefined ? { limit: values.limit } : {}),
      ...(values.cursor !== undefined ? { cursor: values.cursor } : {}),
    });
  }
  throw new UsageError(`unknown action "${action ?? ""}". ${usage}`);
}
