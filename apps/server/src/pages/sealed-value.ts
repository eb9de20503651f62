import { timingSafeEqual } from "node:crypto";
import { canonicalBase64url } from "./csrf.js";

// The pages' short-lived signed cookies (a sign-in in progress, a notice): `payload.mac`, the
// payload base64url JSON, the MAC an HMAC the caller computes over it (under its own context
// string, so one cookie's value is never accepted as another's).

/** How a cookie computes its MAC of a payload. */
export type PayloadMac = (payload: string) => Buffer;

/** `value` sealed: its JSON as base64url, a dot, and `mac` of that. */
export function sealValue(value: unknown, mac: PayloadMac): string {
  const payload = Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${payload}.${mac(payload).toString("base64url")}`;
}

/**
 * The JSON value a sealed string holds, when it is at most `maxLength` long, both parts are
 * canonical base64url and its MAC verifies (compared in constant time); undefined otherwise.
 */
export function openValue(
  sealed: string | undefined,
  maxLength: number,
  mac: PayloadMac,
): Record<string, unknown> | undefined {
  if (!sealed || sealed.length > maxLength) return undefined;
  const [payload, signature, extra] = sealed.split(".");
  if (!payload || !signature || extra !== undefined) return undefined;
  if (!canonicalBase64url(payload) || !canonicalBase64url(signature)) return undefined;
  const given = Buffer.from(signature, "base64url");
  const expected = mac(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
