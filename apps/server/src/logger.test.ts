import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { componentLogger, createLogger, type LogFormat } from "./logger.js";

/** What a logger of `format` writes for `write`, as text. */
async function written(
  format: LogFormat,
  write: (logger: Awaited<ReturnType<typeof createLogger>>) => void,
) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = await createLogger(format, destination);
  write(logger);
  // pino-pretty is a stream: its line comes on a later tick.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return chunks.join("");
}

describe("the logger (TEAMS_LOG)", () => {
  it("json: one object a line with an ISO time and a level word", async () => {
    const text = await written("json", (l) => l.info({ route: "/healthz" }, "request"));
    const line = JSON.parse(text);
    expect(line).toMatchObject({
      level: "info",
      service: "teams",
      route: "/healthz",
      msg: "request",
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("censors fields that could hold a credential, should anyone log them", async () => {
    const text = await written("json", (l) =>
      l.info(
        {
          authorization: "Bearer eyJ.secret.sig",
          headers: { authorization: "Bearer h", cookie: "token=c", "refreshed-token": "r" },
          body: { refresh_token: "rt", client_secret: "cs", password: "pw" },
          form: { csrf_token: "csrf" },
          query: { access_token: "at" },
          token: "t0k3n",
        },
        "careless",
      ),
    );
    for (const secret of [
      "eyJ.secret.sig",
      "Bearer h",
      "token=c",
      '"r"',
      '"rt"',
      '"cs"',
      '"pw"',
      "t0k3n",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text).headers.cookie).toBe("[redacted]");
  });

  it("names the component of lines outside a request", async () => {
    const text = await written("json", (l) => componentLogger(l, "webhooks").info("delivered"));
    expect(JSON.parse(text)).toMatchObject({ component: "webhooks", msg: "delivered" });
  });

  it("pretty: a readable line for a terminal, not JSON, without colours off a terminal", async () => {
    const text = await written("pretty", (l) =>
      l.info({ method: "GET", route: "/api/v1/teams/", status: 200 }, "request"),
    );
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toContain("INFO");
    expect(text).toContain("request GET /api/v1/teams/ 200");
    expect(text).not.toContain("\x1b[");
  });

  it("off: nothing at all", async () => {
    expect(await written("off", (l) => l.error("anything"))).toBe("");
  });
});
