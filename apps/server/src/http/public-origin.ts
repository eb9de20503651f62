import { isIP } from "node:net";
import { isLoopbackHost } from "../loopback.js";
import { detailResponse } from "./fastapi-errors.js";

/** How the server learns the origin people reach it at (issue 12, item 9). */
export interface PublicOriginOptions {
  /**
   * TEAMS_PUBLIC_URL as an origin, e.g. `https://teams.example`: when set it alone decides
   * redirects, the pages' origin check and the session cookie's `Secure`. Default none.
   */
  publicUrl?: string | undefined;
  /**
   * TEAMS_TRUSTED_PROXIES: addresses (of the connection's peer) whose `X-Forwarded-Proto` and
   * `X-Forwarded-Host` are believed. Default none: those headers are ignored.
   */
  trustedProxies?: readonly string[] | undefined;
  /**
   * HOST and PORT the server listens on. Without a public URL or a trusted proxy, the `Host`
   * header must name them. Default none: not checked (the app in process, as tests run it).
   */
  listen?: { host: string; port(): number } | undefined;
}

const origins = new WeakMap<Request, string>();

/** The origin `request` was made to, as the gate decided it (else its own URL's). */
export function publicOrigin(request: Request): string {
  return origins.get(request) ?? new URL(request.url).origin;
}

/** Whether answers to `request` go over https, so cookies set in them get `Secure`. */
export const isHttps = (request: Request) => publicOrigin(request).startsWith("https:");

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
export function normalAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/** The peer address of the connection, as @hono/node-server passes it (undefined in process). */
function peerAddress(env: unknown): string | undefined {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return address ? normalAddress(address) : undefined;
}

/**
 * The client's address: the connection's peer, or, when the peer is a trusted proxy, the
 * right-most address of `X-Forwarded-For` that is not a trusted proxy (each proxy appends the
 * address it was reached from, so anything left of that was written by the client and is not
 * believed). Undefined in process (no connection).
 */
export function clientAddress(
  request: Request,
  env: unknown,
  trusted: ReadonlySet<string>,
): string | undefined {
  const peer = peerAddress(env);
  if (peer === undefined || !trusted.has(peer)) return peer;
  const hops = (request.headers.get("x-forwarded-for") ?? "").split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]?.trim() ?? "";
    if (isIP(hop) === 0) return peer;
    const address = normalAddress(hop);
    if (!trusted.has(address)) return address;
  }
  return peer;
}

/** The last value of a comma-separated forwarded header: the one the nearest proxy wrote. */
function lastValue(header: string | undefined): string | undefined {
  const value = header?.split(",").at(-1)?.trim();
  return value === "" ? undefined : value;
}

/** The origin of `proto://host`, or undefined when `host` is more than a host and port. */
function originOf(proto: string, host: string): string | undefined {
  if (proto !== "http" && proto !== "https") return undefined;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return undefined;
  }
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** Whether a `Host` header names the listening address (any name, when it listens on all). */
function hostMatches(header: string, listen: { host: string; port(): number }): boolean {
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return false;
  if (Number(url.port || 80) !== listen.port()) return false;
  const host = listen.host;
  // A wildcard listener answers on every address it has: only the port can be checked.
  if (host === "0.0.0.0" || host === "::" || host === "") return true;
  const names = [host.includes(":") ? `[${host.toLowerCase()}]` : host.toLowerCase()];
  if (isLoopbackHost(host)) names.push(...LOOPBACK_NAMES);
  return names.includes(url.hostname);
}

/**
 * Decides each request's origin: TEAMS_PUBLIC_URL when set; else, from a trusted proxy, its
 * `X-Forwarded-Proto`/`-Host`; else the connection itself, its `Host` checked against HOST/PORT
 * (a request naming another host is refused: it could only steer redirects elsewhere).
 */
export function publicOriginGate(
  options: PublicOriginOptions,
): (request: Request, env: unknown) => Response | undefined {
  const trusted = new Set((options.trustedProxies ?? []).map(normalAddress));
  // Clients send the same Host on every request: the last one's verdict is kept (parsing it as a
  // URL was 2 % of a small read). Keyed by the port too, which the listener learns at start.
  let last: { header: string; port: number; matches: boolean } | undefined;
  const matchesListen = (header: string, listen: NonNullable<PublicOriginOptions["listen"]>) => {
    const port = listen.port();
    if (last?.header !== header || last.port !== port) {
      last = { header, port, matches: hostMatches(header, listen) };
    }
    return last.matches;
  };
  return (request, env) => {
    if (options.publicUrl) {
      origins.set(request, options.publicUrl);
      return undefined;
    }
    const host = request.headers.get("host") ?? undefined;
    const peer = peerAddress(env);
    if (peer !== undefined && trusted.has(peer)) {
      const proto = lastValue(request.headers.get("x-forwarded-proto") ?? undefined)?.toLowerCase();
      const forwardedHost = lastValue(request.headers.get("x-forwarded-host") ?? undefined) ?? host;
      if (proto !== undefined || forwardedHost !== host) {
        const origin = originOf(
          proto ?? new URL(request.url).protocol.slice(0, -1),
          forwardedHost ?? "",
        );
        if (!origin) return detailResponse(400, "Invalid forwarded headers");
        origins.set(request, origin);
      }
      return undefined;
    }
    if (options.listen && !matchesListen(host ?? "", options.listen)) {
      return detailResponse(400, "Invalid host header");
    }
    return undefined;
  };
}
