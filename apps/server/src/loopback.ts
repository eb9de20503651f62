/**
 * Whether `host` (HOST, or a URL's hostname) names this machine's loopback interface only:
 * `localhost`, 127.0.0.0/8 or ::1 (bracketed or not). A wildcard (0.0.0.0, ::) is not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
