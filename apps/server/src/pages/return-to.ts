/**
 * Where a person may be sent back after deciding: a path on this server, or an address whose
 * origin is this server's or one of the allowed ones. Anything else (another site, `//evil`,
 * `javascript:`, a backslash trick) is undefined, and the person lands on their own teams page
 * instead: an open redirect would let anyone dress a phishing link in this server's name.
 */
export function allowedReturnTo(
  raw: string | null | undefined,
  ownOrigin: string,
  allowedOrigins: readonly string[],
): string | undefined {
  if (!raw || raw.length > 2000) return undefined;
  // Browsers read "\" as "/" and drop tabs and newlines in URLs: refuse them rather than guess.
  if (/[\\\s\p{Cc}]/u.test(raw)) return undefined;
  if (raw.startsWith("/")) {
    if (raw.startsWith("//")) return undefined;
    const url = new URL(raw, ownOrigin);
    return url.origin === ownOrigin ? `${url.pathname}${url.search}${url.hash}` : undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password) return undefined;
  if (url.origin !== ownOrigin && !allowedOrigins.includes(url.origin)) return undefined;
  return url.href;
}

/** `returnTo` with the outcome added, so the app that sent the person knows what they chose. */
export function withOutcome(returnTo: string, outcome: "granted" | "declined"): string {
  const relative = returnTo.startsWith("/");
  const url = new URL(returnTo, "http://relative.invalid");
  url.searchParams.set("consent", outcome);
  return relative ? `${url.pathname}${url.search}${url.hash}` : url.href;
}
