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
  let target: string;
  if (raw.startsWith("/")) {
    let url: URL;
    try {
      url = new URL(raw, ownOrigin);
    } catch {
      return undefined; // `//` alone is no URL at all
    }
    if (url.origin !== ownOrigin) return undefined;
    // The path as normalised, which is what is sent on: `/.//evil`, `/..//evil` or `/%2e%2e//evil`
    // pass as paths but become `//evil`, which a browser reads as another host. So the check below
    // looks at the result, not at what was given.
    target = `${url.pathname}${url.search}${url.hash}`;
  } else {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return undefined;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    if (url.username || url.password) return undefined;
    target = url.href;
  }
  return leadsTo(target, ownOrigin, allowedOrigins) ? target : undefined;
}

/**
 * Whether a browser following `target` (a `Location` or a link on a page of `ownOrigin`) lands on
 * `ownOrigin` or one of `allowedOrigins`: resolved as browsers resolve it, and a relative target
 * must be a path (`/x`), never a network path (`//host`) or anything a browser may read otherwise.
 */
export function leadsTo(
  target: string,
  ownOrigin: string,
  allowedOrigins: readonly string[],
): boolean {
  if (/[\\\s\p{Cc}]/u.test(target)) return false;
  if (target.startsWith("//")) return false;
  let origin: string;
  try {
    origin = new URL(target, ownOrigin).origin;
  } catch {
    return false;
  }
  return origin === ownOrigin || allowedOrigins.includes(origin);
}

/** `returnTo` with the outcome added, so the app that sent the person knows what they chose. */
export function withOutcome(returnTo: string, outcome: "granted" | "declined"): string {
  const relative = returnTo.startsWith("/");
  const url = new URL(returnTo, "http://relative.invalid");
  url.searchParams.set("consent", outcome);
  return relative ? `${url.pathname}${url.search}${url.hash}` : url.href;
}
