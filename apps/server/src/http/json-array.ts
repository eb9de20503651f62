/** Bodies up to this size are sent as one buffer; longer ones as a stream of their parts. */
const ONE_BUFFER_BYTES = 1 << 20;

/**
 * A 200 JSON array answer whose items arrive in chunks, each chunk as its own JSON array text:
 * neither the items nor their text are ever held whole as JavaScript values (a list of 100,000
 * users is 14 MB of JSON, and several times that as objects and a UTF-16 string): each chunk is
 * encoded to UTF-8 as it comes, and the parts are written out in turn.
 */
export async function jsonArrayResponse(
  produce: (onChunk: (arrayText: string) => void) => Promise<void>,
): Promise<Response> {
  const parts: Buffer[] = [Buffer.from("[")];
  let size = 1;
  await produce((arrayText) => {
    // The chunk's items are its text within the brackets (compact JSON); "[]" adds nothing.
    const items = arrayText.slice(1, -1);
    if (items.length === 0) return;
    const part = Buffer.from(parts.length === 1 ? items : `,${items}`);
    parts.push(part);
    size += part.length;
  });
  parts.push(Buffer.from("]"));
  size += 1;
  const headers = { "content-type": "application/json", "content-length": String(size) };
  if (size <= ONE_BUFFER_BYTES) return new Response(Buffer.concat(parts, size), { headers });
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[next];
      if (part === undefined) return controller.close();
      // Written parts are let go at once, not when the whole answer is.
      parts[next++] = EMPTY;
      controller.enqueue(part);
    },
  });
  return new Response(stream, { headers });
}

const EMPTY = Buffer.alloc(0);
