import { lookup } from "node:dns/promises";
import { decideWebhookTarget } from "./policy/webhook-policy.js";

// Where a receiver may be: the host's addresses looked up, then the rule (webhook-policy.ts).
// Apart from the use cases because the delivery thread checks every target too and loads only
// what `@teams/core/webhook-delivery` holds.

/** Where webhooks may be sent. */
export interface WebhookTargets {
  /** Receivers on loopback, private or link-local addresses are allowed. Default false. */
  allowPrivate?: boolean;
  /** The addresses a host name resolves to. Default: the system resolver (every address). */
  resolveHost?: (host: string) => Promise<string[]>;
}

/** The system resolver: every address of a host (a literal address is itself). */
export async function resolveHost(host: string): Promise<string[]> {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  try {
    return (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return [];
  }
}

/**
 * The refusal of a receiver URL whose host resolves to an address the rule refuses (or to
 * none), or null. Checked when subscribing and again before every delivery (DNS can change).
 */
export async function checkWebhookTarget(
  url: string,
  targets: WebhookTargets,
): Promise<string | null> {
  const { hostname } = new URL(url);
  const addresses = await (targets.resolveHost ?? resolveHost)(hostname);
  return decideWebhookTarget(addresses, targets.allowPrivate === true);
}
