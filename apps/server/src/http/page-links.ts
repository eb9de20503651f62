import { arrayText, type LinesPage, type Page } from "@teams/core";
import type { Context } from "hono";
import { urlParts } from "./url-parts.js";

/**
 * The headers that point to the next page of a list: `Link: <...>; rel="next"` (RFC 8288) with the
 * request's own path and query, `cursor` replaced, and the bare cursor in `X-Next-Cursor`. None on
 * the last page. The body stays the reference's JSON array.
 */
export function nextPageHeaders(
  requestUrl: string,
  page: Pick<Page<unknown>, "next_cursor">,
): Record<string, string> {
  if (page.next_cursor === null) return {};
  const parts = urlParts(requestUrl);
  const path = parts.path;
  const query = new URLSearchParams(parts.query);
  query.set("cursor", page.next_cursor);
  return {
    link: `<${path}?${query}>; rel="next"`,
    "x-next-cursor": page.next_cursor,
  };
}

/** A list's paging parameters as the query string gives them (the core reads and checks them). */
export const pageQuery = (c: Context) => ({
  limit: c.req.query("limit"),
  cursor: c.req.query("cursor"),
});

/**
 * The answer of a list whose items the store built as JSON lines: sent as they are, joined into
 * the reference's JSON array, never parsed or serialized again.
 */
export function linesAnswer(c: Context, page: LinesPage<unknown>): Response {
  const { lines } = page;
  const headers = { "content-type": "application/json", ...nextPageHeaders(c.req.url, page) };
  if (lines.length <= STREAM_FROM_LINES) {
    // Sent as text: Node writes the head and a text body in one write, encoding the text there;
    // its length is counted without encoding it (a Buffer here cost an allocation and a copy more).
    const body = arrayText(lines);
    return plainAnswer(body, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  }
  // A long list (a team of 100,000 is 14 MB) is encoded a part at a time as it is sent, each line
  // written straight into its part's buffer: never joined into one string and one buffer beside
  // the lines (twice its size again, or four times for a two-byte string), nor a part's lines into
  // a string first (a flat copy of each part, which was half the garbage of the answer). Its
  // length is known beforehand from the lines' own.
  const sizes = new Uint32Array(lines.length);
  let length = lines.length + 1; // "[" or "," before each line, "]" after the last
  for (let i = 0; i < lines.length; i++) {
    const size = Buffer.byteLength(lines[i] as string);
    sizes[i] = size;
    length += size;
  }
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= lines.length) return controller.close();
      const end = Math.min(next + STREAM_PART_LINES, lines.length);
      const last = end === lines.length;
      let bytes = end - next + (last ? 1 : 0);
      for (let i = next; i < end; i++) bytes += sizes[i] as number;
      const part = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (let i = next; i < end; i++) {
        part[at++] = i === 0 ? OPEN : COMMA;
        at += part.write(lines[i] as string, at);
      }
      if (last) part[at++] = CLOSE;
      controller.enqueue(part);
      next = end;
    },
  });
  return plainAnswer(stream, { ...headers, "content-length": String(length) });
}

/**
 * A 200 with headers given as a plain object: Hono's `c.body` turns two headers or more into a
 * `Headers` object, which @hono/node-server then reads back into a plain one to write.
 */
const plainAnswer = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  new Response(body, { status: 200, headers });

/** Lists longer than this many lines are sent as a stream of parts of `STREAM_PART_LINES`. */
const STREAM_FROM_LINES = 2000;
const STREAM_PART_LINES = 1000;
const [OPEN, COMMA, CLOSE] = [0x5b, 0x2c, 0x5d]; // "[", ",", "]"

/** The answer of a list of values: the reference's JSON array, and the next page's headers. */
export function itemsAnswer(c: Context, page: Page<unknown>): Response {
  return c.json(page.items, 200, nextPageHeaders(c.req.url, page));
}
