import { BlockList, isIP } from "node:net";

// The rules of webhook delivery (issue 16): which receivers may be called, which answers count as
// delivered, when a failed delivery is tried again, and which events a subscription wants.

// Loopback, private, link-local, shared, reserved and multicast ranges: a receiver there could
// reach the service's own network (SSRF), so it is refused unless the operator allows it.
const privateRanges = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["100::", 64],
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad included). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, compatible), if any. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64)
  if (zero(0, 5) && (g[5] === 0xffff || g[5] === 0)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6] ?? 0, g[7] ?? 0);
  // 2002:AABB:CCDD::/48 (6to4)
  if (g[0] === 0x2002) return v4(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

/** Whether an IP address is on a loopback, private, link-local or other non-public range. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, "ipv4");
  if (family !== 6) return true; // not an address at all: never a public one
  const inner = embeddedIpv4(address);
  if (inner !== undefined && privateRanges.check(inner, "ipv4")) return true;
  return privateRanges.check(address.replace(/%.*$/, ""), "ipv6");
}

/**
 * Whether a receiver whose host resolved to `addresses` may be called: a refusal naming the
 * reason, or null. Every address must be public (DNS may answer any of them), unless
 * `allowPrivate` (TEAMS_WEBHOOKS_ALLOW_PRIVATE).
 */
export function decideWebhookTarget(
  addresses: readonly string[],
  allowPrivate: boolean,
): string | null {
  if (addresses.length === 0) return "the receiver's host does not resolve";
  if (allowPrivate) return null;
  const refused = addresses.find(isPrivateAddress);
  return refused === undefined
    ? null
    : `the receiver's address ${refused} is loopback, private or link-local`;
}

/** Standard Webhooks: any 2xx is delivered; anything else (3xx, 4xx, 5xx, no answer) failed. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** The first retry waits up to this long; each further one twice as long, up to the cap. */
export const RETRY_BASE_MS = 1000;
/** The longest wait between two attempts. */
export const RETRY_CAP_MS = 10 * 60_000;

/**
 * How long to wait after the `failures`-th failed attempt at an event (1 for the first):
 * exponential backoff with full jitter (`random` in [0, 1)), so receivers coming back are not
 * met by every sender at once.
 */
export function retryDelayMs(failures: number, random: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.floor(random * ceiling);
}

/** Whether a subscription to `eventTypes` (stored, space-separated; null: all) wants `type`. */
export function wantsEvent(eventTypes: string | null, type: string): boolean {
  return eventTypes === null || eventTypes.split(" ").includes(type);
}
