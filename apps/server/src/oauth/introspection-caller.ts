import { createHash, timingSafeEqual } from "node:crypto";
import { OAuthProblem } from "../http/oauth-answers.js";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Whether an `Authorization: Basic` header carries the resource servers' secret as its password
 * (any client id). Compared in constant time (of equal-length digests), so the answer's timing
 * says nothing of the secret. Undefined when the header is not Basic (the caller then presents a
 * bearer token); an `invalid_client` error when it is Basic with the wrong secret, or when no
 * secret is configured.
 */
export function basicIntrospector(
  authorization: string | null,
  secret: string | undefined,
): true | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  // RFC 6749 §2.3.1: the password is form-encoded before Basic encoding.
  let password: string;
  try {
    password = decodeURIComponent(
      (colon === -1 ? "" : decoded.slice(colon + 1)).replace(/\+/g, " "),
    );
  } catch {
    password = "";
  }
  const given = digest(password);
  const expected = digest(secret ?? "");
  if (secret === undefined || secret === "" || !timingSafeEqual(given, expected)) {
    throw new OAuthProblem("invalid_client", "Client authentication failed", 401, {
      "www-authenticate": 'Basic realm="introspection"',
    });
  }
  return true;
}
