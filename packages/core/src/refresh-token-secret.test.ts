import { describe, expect, it } from "vitest";
import { newRefreshToken } from "./refresh-token-secret.js";

describe("newRefreshToken", () => {
  it("gives 43 base64url characters (32 bytes), never the same twice across refills", () => {
    const seen = new Set<string>();
    // Past several refills of the pool (64 tokens each).
    for (let i = 0; i < 1000; i++) {
      const token = newRefreshToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      seen.add(token);
    }
    expect(seen.size).toBe(1000);
  });

  it("draws bytes that look random: every byte value, about evenly", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2000; i++) {
      for (const byte of Buffer.from(newRefreshToken(), "base64url"))
        counts[byte] = (counts[byte] ?? 0) + 1;
    }
    // 64,000 bytes: 250 expected per value; a zeroed pool handed out would pile up on 0.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(350);
  });
});
