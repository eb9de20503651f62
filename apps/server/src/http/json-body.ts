import type { ValidationIssue } from "@teams/core";
import { HttpProblem } from "./fastapi-errors.js";

/** Deepest nesting of arrays and objects a body may have; the schemas need 2. */
export const MAX_JSON_DEPTH = 32;

/** Bad UTF-8 becomes U+FFFD, as FastAPI reads a body; a leading BOM is dropped. */
const utf8 = new TextDecoder("utf-8", { fatal: false });

const tooLarge = () => new HttpProblem(413, "Request body is too large");

/**
 * Reads a JSON request body as FastAPI would accept it, never more than `maxBytes` of it: a
 * declared or streamed size past the limit is 413 before the rest is read; another media type is
 * 415; bad or absurdly deep JSON is a 422 `json_invalid`. An empty body is `undefined` (the
 * schema then reports the body missing).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new HttpProblem(415, "Unsupported Media Type: send application/json");
  }
  const text = await readBody(request, maxBytes);
  if (text.trim() === "") return undefined;
  const deepAt = depthExceededAt(text, MAX_JSON_DEPTH);
  if (deepAt !== -1) throw jsonInvalid(deepAt, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    throw jsonInvalid(
      position,
      message.replace(/ in JSON at position \d+.*$/, "") || "Expecting value",
    );
  }
}

function jsonInvalid(position: number, error: string): HttpProblem {
  const issue: ValidationIssue = {
    type: "json_invalid",
    loc: ["body", position],
    msg: `JSON decode error: ${error}`,
    input: {},
  };
  return new HttpProblem(422, [issue]);
}

/** A request's body as text, refused with 413 as soon as it is known to exceed `maxBytes`. */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (
    declared !== null &&
    /^\d+$/.test(declared) &&
    request.headers.get("transfer-encoding") === null
  ) {
    // A declared length within the limit bounds the body (Node's parser delivers no more), so it
    // is read whole: @hono/node-server then reads it straight from the socket, where `body` would
    // first build a WHATWG Request and streams around it (about a tenth of a token request's CPU).
    // A body that still comes out longer (an in-process Request may declare anything) is refused.
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > maxBytes) throw tooLarge();
    return utf8.decode(bytes);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return utf8.decode(Buffer.concat(chunks));
}

/** Index where nesting first exceeds `max` outside strings, or -1; a linear scan, no recursion. */
export function depthExceededAt(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/**
 * Reads a body sent either as a form (`application/x-www-form-urlencoded`, as the reference's
 * clients send `PUT /api/v1/users/{user_id}`; a field given twice counts as its last value, as
 * FastAPI reads forms) or as JSON (`readJsonBody`, with its limits and errors).
 */
export async function readFormOrJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type.trim())) {
    return readJsonBody(request, maxBytes);
  }
  return Object.fromEntries(new URLSearchParams(await readBody(request, maxBytes)));
}
