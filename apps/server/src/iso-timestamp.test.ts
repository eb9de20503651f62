import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { isoTimestamp, writtenAt } from "./iso-timestamp.js";

describe("isoTimestamp", () => {
  // Each instant asked in turn of one function, so the cached second is both reused and replaced.
  const instants = [
    Date.UTC(2026, 11, 2, 16, 8, 27, 0),
    Date.UTC(2026, 11, 2, 16, 8, 27, 5),
    Date.UTC(2026, 11, 2, 16, 8, 27, 42),
    Date.UTC(2026, 11, 2, 16, 8, 27, 999),
    Date.UTC(2026, 11, 2, 16, 8, 28, 0),
    Date.UTC(2026, 11, 2, 16, 8, 27, 500), // the clock set back
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    Date.UTC(2027, 0, 1, 0, 0, 0, 1),
    0,
    -1,
    -1001,
    Date.UTC(1969, 6, 20, 20, 17, 40, 123),
    Date.UTC(10000, 0, 1, 0, 0, 0, 7),
    1.5e12 + 0.75, // a fractional clock reads as the whole millisecond, as Date does
  ];

  it("writes what toISOString writes, for every instant", () => {
    let at = 0;
    const time = isoTimestamp(() => at);
    for (const instant of instants) {
      at = instant;
      expect(time(), String(instant)).toBe(`,"time":"${new Date(instant).toISOString()}"`);
    }
  });

  it("gives pino the same lines as its own isoTime", () => {
    const lines = (timestamp: () => string) => {
      const out: string[] = [];
      const logger = pino({ base: null, timestamp }, { write: (line: string) => out.push(line) });
      logger.info({ n: 1 }, "request");
      return JSON.parse(out[0] as string) as { time: string };
    };
    const at = Date.UTC(2026, 11, 2, 16, 8, 27, 42);
    expect(lines(isoTimestamp(() => at)).time).toBe(new Date(at).toISOString());
    expect(lines(isoTimestamp()).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("gives the instant of writtenAt inside it, and the clock's again after", () => {
    const at = Date.UTC(2026, 11, 3, 15, 0, 0, 5);
    const time = isoTimestamp(() => at + 60_000);
    expect(writtenAt(at, () => time())).toBe(`,"time":"${new Date(at).toISOString()}"`);
    expect(time()).toBe(`,"time":"${new Date(at + 60_000).toISOString()}"`);
    expect(() =>
      writtenAt(at, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(time()).toBe(`,"time":"${new Date(at + 60_000).toISOString()}"`);
  });
});
