import { connect, type Socket } from "node:net";

// A client that writes bytes as given: for requests fetch refuses to send (raw bytes in the path,
// NUL in a header, smuggling attempts, unknown methods) and for clients that send slowly or stop.

export interface RawAnswer {
  /** Null when the server closed the connection without answering. */
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** Everything received, as latin1 (for "nothing secret in it" checks). */
  text: string;
}

function parse(received: Buffer): RawAnswer {
  const text = received.toString("latin1");
  const head = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  if (!head) return { status: null, headers: {}, body: "", text };
  const end = text.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  for (const line of text.slice(head[0].length, end === -1 ? undefined : end).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body =
    end === -1
      ? ""
      : received.subarray(Buffer.byteLength(text.slice(0, end + 4), "latin1")).toString("utf8");
  if (headers["transfer-encoding"] === "chunked") {
    let out = "";
    let rest = body;
    for (;;) {
      const line = rest.indexOf("\r\n");
      const size = Number.parseInt(rest.slice(0, line), 16);
      if (line === -1 || !Number.isFinite(size) || size === 0) break;
      out += rest.slice(line + 2, line + 2 + size);
      rest = rest.slice(line + 2 + size + 2);
    }
    body = out;
  }
  return { status: Number(head[1]), headers, body, text };
}

/** Opens a connection to `base` (http://host:port). */
export function open(base: string): Promise<Socket> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Collects what the server sends until it closes the connection (or `timeoutMs` passes). */
export function collect(
  socket: Socket,
  timeoutMs: number,
): Promise<{ answer: RawAnswer; closedBy: "server" | "timeout"; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closedBy: "server" | "timeout") => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: parse(Buffer.concat(chunks)), closedBy, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("data", (d) => chunks.push(d));
    socket.on("end", () => finish("server"));
    socket.on("close", () => finish("server"));
    socket.on("error", () => finish("server"));
  });
}

/** The Host `httpBytes` writes until `addressed` names the server. */
const PLACEHOLDER_HOST = "Host: teams.test\r\n";

/**
 * `bytes` with the placeholder Host replaced by `base`'s host and port, as a client writes it: the
 * server refuses a Host that does not name its HOST and PORT (issue 12, item 9).
 */
export function addressed(base: string, bytes: Buffer | string): Buffer {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "latin1");
  const at = buffer.indexOf(PLACEHOLDER_HOST, 0, "latin1");
  if (at === -1) return buffer;
  return Buffer.concat([
    buffer.subarray(0, at),
    Buffer.from(`Host: ${new URL(base).host}\r\n`, "latin1"),
    buffer.subarray(at + PLACEHOLDER_HOST.length),
  ]);
}

/** Sends `bytes` on a new connection (its Host `addressed` to `base`) and reads the answer to the end. */
export async function rawRequest(
  base: string,
  bytes: Buffer | string,
  timeoutMs = 5000,
): Promise<RawAnswer> {
  const socket = await open(base);
  const collected = collect(socket, timeoutMs);
  socket.write(addressed(base, bytes));
  return (await collected).answer;
}

/** A request's bytes: request line, headers (Host and Connection: close added), body. */
export function httpBytes(
  method: string,
  target: string | Buffer,
  headers: Record<string, string> = {},
  body: string | Buffer = "",
): Buffer {
  const lines = [`Host: teams.test`, "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (
    body.length > 0 &&
    !Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k))
  ) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return Buffer.concat([
    Buffer.from(`${method} `, "latin1"),
    Buffer.isBuffer(target) ? target : Buffer.from(target, "latin1"),
    Buffer.from(` HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`, "latin1"),
    Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"),
  ]);
}
