import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys, decodeCursor, encodeCursor, toPage } from "./pagination.js";

describe("cursors", () => {
  it("round-trip any key, and belong to one list", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string(), (sortKey, id) => {
        const cursor = encodeCursor("users", [sortKey, id]);
        expect(cursor).toMatch(/^[\w-]+$/);
        expect(decodeCursor("users", cursor)).toEqual([sortKey, id]);
        expect(decodeCursor("teams", cursor)).toBeUndefined();
      }),
    );
  });

  it("refuse anything else", () => {
    for (const text of ["", "!", "e30", "W10", "WyJ1IiwxLDJd", "a".repeat(2001)]) {
      expect(decodeCursor("users", text), text).toBeUndefined();
    }
    // Forged keys the stores could not hold: NUL, and lone surrogates that JSON can spell.
    const forged = (json: string) => Buffer.from(json, "utf8").toString("base64url");
    for (const json of ['["u","a\\u0000","b"]', '["u","\\ud800","b"]', '["u","a","b\\udc00"]']) {
      expect(decodeCursor("users", forged(json)), json).toBeUndefined();
    }
    expect(decodeCursor("users", forged('["u","a","b"]'))).toEqual(["a", "b"]);
  });
});

describe("compareKeys", () => {
  it("orders as the stores do: by UTF-8 bytes of the sort key, then of the id", () => {
    const key = fc.tuple(
      fc.string({ unit: "grapheme", maxLength: 4 }),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(key, key, (a, b) => {
        const bytes = (s: string) => Buffer.from(s, "utf8");
        const expected =
          Math.sign(Buffer.compare(bytes(a[0]), bytes(b[0]))) ||
          Math.sign(Buffer.compare(bytes(a[1]), bytes(b[1])));
        expect(Math.sign(compareKeys(a, b))).toBe(expected);
      }),
    );
    // Past U+FFFF, UTF-16 order (JavaScript's <) and code point order disagree.
    expect(compareKeys(["\u{1F600}", ""], ["\uFF61", ""])).toBe(1);
  });
});

describe("toPage", () => {
  const key = (n: number) => [String(n), String(n)] as const;
  it("keeps `limit` rows and points after the last one when one more was read", () => {
    const page = toPage("teams", [1, 2, 3], 2, key, (n) => n * 10);
    expect(page.items).toEqual([10, 20]);
    expect(decodeCursor("teams", page.next_cursor ?? "")).toEqual(["2", "2"]);
    expect(toPage("teams", [1, 2], 2, key, (n) => n)).toEqual({ items: [1, 2], next_cursor: null });
    expect(toPage("teams", [1, 2], undefined, key, (n) => n)).toEqual({
      items: [1, 2],
      next_cursor: null,
    });
  });
});
