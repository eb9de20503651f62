import { describe, expect, it } from "vitest";
import { HttpProblem } from "./fastapi-errors.js";
import { readBody } from "./json-body.js";

// A body's two ways in: whole when its declared length is within the limit, streamed (and cut at
// the limit) otherwise. Both must read the same text and refuse the same sizes.

const post = (
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  new Request("http://teams.test/", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);

/** The same bytes as a stream without a declared length (as a chunked upload arrives). */
const streamed = (bytes: Uint8Array) =>
  post(
    new ReadableStream({
      start(controller) {
        controller.enqueue(bytes.slice(0, 3));
        controller.enqueue(bytes.slice(3));
        controller.close();
      },
    }),
  );

const declared = (bytes: Uint8Array, length = bytes.byteLength) =>
  post(bytes, { "content-length": String(length) });

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: unknown) => (error instanceof HttpProblem ? error.status : 500),
  );

describe("readBody", () => {
  const cases: [string, Uint8Array][] = [
    ["JSON", new TextEncoder().encode('{"scopes":["data:read"]}')],
    ["a leading BOM", new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])],
    ["bad UTF-8", new Uint8Array([0x22, 0xff, 0xfe, 0x22, 0x20, 0x20])],
  ];
  it.each(cases)("reads %s the same whole or streamed", async (_, bytes) => {
    const whole = await readBody(declared(bytes), 1024);
    expect(whole).toBe(await readBody(streamed(bytes), 1024));
    expect(whole).toBe(new TextDecoder().decode(bytes));
  });

  it("refuses a body past the limit either way, and one longer than it declared", async () => {
    const bytes = new Uint8Array(100).fill(0x20);
    expect(await status(readBody(declared(bytes), 99))).toBe(413);
    expect(await status(readBody(streamed(bytes), 99))).toBe(413);
    expect(await status(readBody(declared(bytes, 10), 99))).toBe(413);
    expect(await readBody(declared(bytes), 100)).toBe(" ".repeat(100));
  });
});
