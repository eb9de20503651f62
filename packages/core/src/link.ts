/**
 * A team's link (`url`, `image`, `privacy_statement`) as it is stored and answered: the WHATWG URL
 * serializer's text (lower-case scheme and host, IDN hosts in punycode, `/` for an empty path,
 * spaces trimmed or escaped), `http` or `https` only, without credentials. Answers are documented
 * as `format: uri` (RFC 3986), which is stricter than WHATWG: the few ASCII characters WHATWG
 * leaves bare in a path, query or fragment (`|`, `^`, `{`, a lone `%`...) are escaped too, and a
 * host RFC 3986 cannot hold is refused.
 */
export type LinkResult =
  | { ok: true; href: string }
  | { ok: false; type: "url_parsing" | "url_scheme" | "value_error"; message: string };

// Anything outside RFC 3986's unreserved, sub-delims, ":", "@", "/", "?" and "%XX" is escaped.
const NOT_URI_CHAR = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})/g;
const NOT_URI_FRAGMENT_CHAR = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]|%(?![0-9A-Fa-f]{2})|#/g;
/** A host RFC 3986 can hold: an IPv6 literal, or a name of reg-name characters (IPv4 included). */
const URI_HOST = /^(?:\[[0-9a-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)$/;

const percentEncode = (c: string) =>
  [...new TextEncoder().encode(c)]
    .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
    .join("");

/** `text` normalised as a link, or why it is refused (in pydantic's words where it has some). */
export function normaliseLink(text: string): LinkResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      type: "url_parsing",
      message: "Input should be a valid URL, relative URL without a base",
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, type: "url_scheme", message: "URL scheme should be 'http' or 'https'" };
  }
  // A link is shown to every member: a password in it would be published.
  if (url.username !== "" || url.password !== "") {
    return {
      ok: false,
      type: "value_error",
      message: "Value error, URL must not contain a username or password",
    };
  }
  if (!URI_HOST.test(url.hostname)) {
    return {
      ok: false,
      type: "url_parsing",
      message: "Input should be a valid URL, invalid domain character",
    };
  }
  // Sliced from `href` rather than built from `search` and `hash`, which drop a bare "?" or "#".
  const origin = `${url.protocol}//${url.host}`;
  const rest = url.href.slice(origin.length);
  const hashAt = rest.indexOf("#");
  const beforeHash = hashAt === -1 ? rest : rest.slice(0, hashAt);
  const fragment =
    hashAt === -1 ? "" : `#${rest.slice(hashAt + 1).replace(NOT_URI_FRAGMENT_CHAR, percentEncode)}`;
  return {
    ok: true,
    href: `${origin}${beforeHash.replace(NOT_URI_CHAR, percentEncode)}${fragment}`,
  };
}
