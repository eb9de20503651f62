import { describe, expect, it } from "vitest";
import { isPlausibleId, newId } from "./ids.js";
import { MAX_ID_LENGTH } from "./request-schemas.js";

// README "Decisions": ids are opaque strings of 1–255 characters without control characters; an id
// that could not be stored is 404 on lookups and 422 where the caller chooses it.
describe("isPlausibleId", () => {
  it("keeps the limit the request schemas use", () => {
    expect(MAX_ID_LENGTH).toBe(255);
  });

  describe.each<{ name: string; id: unknown }>([
    { name: "a ULID", id: "01J9Z3V6Q8F1W2X3Y4Z5A6B7C8" },
    { name: "one character", id: "a" },
    { name: "255 characters", id: "x".repeat(255) },
    { name: "an email-like id", id: "coach@example.org" },
    { name: "spaces and punctuation", id: "team 42 / u17 (spring)" },
    // Look-alikes are other ids, not forbidden ones: ids are compared exactly, never shown as trusted.
    { name: "Cyrillic look-alike 'аdmin'", id: "\u0430dmin" },
    { name: "fullwidth letters", id: "\uff43\uff4f\uff41\uff43\uff48" },
    { name: "a combining accent", id: "e\u0301quipe" },
    { name: "a zero-width space (a format character, not a control one)", id: "coach\u200b" },
    { name: "an emoji (a well-formed surrogate pair)", id: "team-\u{1f3c3}" },
  ])("$name", ({ id }) => {
    it("is plausible", () => {
      expect(isPlausibleId(id)).toBe(true);
    });
  });

  describe.each<{ name: string; id: unknown }>([
    { name: "the empty string", id: "" },
    { name: "256 characters", id: "x".repeat(256) },
    { name: "NUL (PostgreSQL cannot store it)", id: "a\u0000b" },
    { name: "a leading NUL", id: "\u0000" },
    { name: "a tab", id: "a\tb" },
    { name: "a line feed", id: "a\nb" },
    { name: "a carriage return", id: "a\rb" },
    { name: "an escape (U+001B)", id: "a\u001bb" },
    { name: "U+001F", id: "a\u001fb" },
    { name: "DEL (U+007F)", id: "a\u007fb" },
    // C1 controls are control characters too (Unicode category Cc), like the C0 ones above.
    { name: "NEL (U+0085, a C1 control)", id: "a\u0085b" },
    { name: "U+009F (the last C1 control)", id: "a\u009fb" },
    { name: "a lone high surrogate", id: "a\ud83cb" },
    { name: "a lone low surrogate", id: "\udfc3" },
    { name: "a reversed surrogate pair", id: "\udfc3\ud83c" },
    { name: "undefined", id: undefined },
    { name: "null", id: null },
    { name: "a number", id: 42 },
    { name: "an object", id: { id: "a" } },
    { name: "an array", id: ["a"] },
    { name: "a String object", id: new String("a") },
  ])("$name", ({ id }) => {
    it("is not plausible", () => {
      expect(isPlausibleId(id)).toBe(false);
    });
  });
});

describe("newId", () => {
  it("mints plausible 26-character ULIDs, all different", () => {
    const ids = Array.from({ length: 100 }, () => newId());
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(isPlausibleId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
