import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LineBlocks } from "./log-destination.js";

/** A stand-in for sonic-boom that keeps what it is given. */
function target() {
  const blocks: string[] = [];
  const calls: string[] = [];
  return {
    blocks,
    calls,
    write: (text: string) => blocks.push(text) > 0,
    flush: () => calls.push("flush"),
    flushSync: () => calls.push("flushSync"),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("log lines joined into blocks", () => {
  it("keeps every line in order, at most 64 a block, all passed on by the end of the turn", async () => {
    const sonic = target();
    const blocks = new LineBlocks(sonic);
    const lines = Array.from({ length: 150 }, (_, i) => `{"n":${i}}\n`);
    for (const line of lines) blocks.write(line);
    // Two full blocks went at once; the rest waits for the end of the turn.
    expect(sonic.blocks).toHaveLength(2);
    await turn();
    expect(sonic.blocks.join("")).toBe(lines.join(""));
    expect(sonic.blocks.map((b) => b.split("\n").length - 1)).toEqual([64, 64, 22]);
    blocks.write("late\n");
    await turn();
    expect(sonic.blocks.at(-1)).toBe("late\n");
  });

  it("passes what it holds before sonic-boom flushes, synchronously or not", () => {
    const sonic = target();
    const blocks = new LineBlocks(sonic);
    blocks.write("a\n");
    blocks.flushSync();
    expect(sonic.blocks).toEqual(["a\n"]);
    expect(sonic.calls).toEqual(["flushSync"]);
    blocks.write("b\n");
    blocks.flush();
    expect(sonic.blocks).toEqual(["a\n", "b\n"]);
    expect(sonic.calls).toEqual(["flushSync", "flush"]);
  });

  it("writes every line of a process that exits at once after logging them", async () => {
    const script = `
      import { createLogger } from "./logger.ts";
      const logger = await createLogger("json");
      for (let i = 0; i < 500; i++) logger.info({ n: i }, "line");
      process.exit(0);
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@teams/source", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: fileURLToPath(new URL(".", import.meta.url)) },
    );
    const numbers = stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
