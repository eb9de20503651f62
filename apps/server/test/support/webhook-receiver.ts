import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** A delivery as a receiver got it, its signature verified with standardwebhooks' `verify`. */
export interface Received {
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: the body is checked by assertions
  body: any;
  headers: IncomingHttpHeaders;
  /** When it arrived (Date.now()). */
  at: number;
}

export const TEST_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

/**
 * A webhook receiver on 127.0.0.1: answers each request with `answer(n)` (n counts requests from
 * 1; default 204), and keeps the deliveries whose signature verifies (any other is a failure the
 * test sees in `forged`).
 */
export async function startReceiver(
  options: {
    secret?: string;
    /** The answer to the n-th request (from 1), of the event `id` (its webhook-id). */
    answer?: (n: number, id: string) => number | "hang" | "drop";
    /** Answer after this long (to see whether two senders overlap). */
    delayMs?: number;
  } = {},
) {
  const verifier = new Webhook(options.secret ?? TEST_SECRET);
  const received: Received[] = [];
  const forged: string[] = [];
  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      requests += 1;
      const answer = options.answer?.(requests, String(req.headers["webhook-id"])) ?? 204;
      if (answer === "hang") return;
      inFlight -= 1;
      if (answer === "drop") {
        req.socket.destroy();
        for (const w of waiters.splice(0)) w();
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        const body = verifier.verify(text, req.headers as Record<string, string>);
        if (answer >= 200 && answer < 300) {
          received.push({
            id: String(req.headers["webhook-id"]),
            body,
            headers: req.headers,
            at: Date.now(),
          });
        }
      } catch (error) {
        forged.push(String(error));
      }
      res.writeHead(
        answer,
        answer >= 300 && answer < 400 ? { location: "http://127.0.0.1:1/" } : {},
      );
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    forged,
    requests: () => requests,
    /** The most requests it was answering at once. */
    maxInFlight: () => maxInFlight,
    /** Resolves once `test` holds (checked after each request), or fails after `ms`. */
    async until(test: () => boolean, ms = 10_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline)
          throw new Error("the receiver did not get what was expected in time");
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 50);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
