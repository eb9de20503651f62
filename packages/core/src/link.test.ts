import { Ajv } from "ajv";
import formats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseLink } from "./link.js";
import { TeamPatch } from "./request-schemas.js";

// The answers' schema for a link, as the document states it.
const ajv = new Ajv();
// A CommonJS module: its plugin is the export `default` under NodeNext typing.
formats.default(ajv);
const isUri = ajv.compile({ type: "string", format: "uri" });

describe("normaliseLink", () => {
  it.each([
    ["https://a.example", "https://a.example/"],
    [" https://a..b/", "https://a..b/"],
    ["HTTPS://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"],
    ["HTTP://Riders.Example:80/a/../b", "http://riders.example/b"],
    ["https://riders.example:443/", "https://riders.example/"],
    ["https://riders.example/a b?c d#e f", "https://riders.example/a%20b?c%20d#e%20f"],
    [
      "https://riders.example/x|y^{}?q=|`#f#g|",
      "https://riders.example/x%7Cy%5E%7B%7D?q=%7C%60#f%23g%7C",
    ],
    ["https://riders.example/100%", "https://riders.example/100%25"],
    ["https://riders.example/caf%C3%A9", "https://riders.example/caf%C3%A9"],
    ["https://riders.example/café", "https://riders.example/caf%C3%A9"],
    ["https://riders.example/?", "https://riders.example/?"],
    ["https://[0:0::1]:8443/x", "https://[::1]:8443/x"],
    ["http://0x7f.1/", "http://127.0.0.1/"],
  ])("%j is stored as %j", (input, href) => {
    expect(normaliseLink(input)).toEqual({ ok: true, href });
  });

  it.each([
    ["/about", "url_parsing"],
    ["", "url_parsing"],
    ["https://", "url_parsing"],
    ["ftp://riders.example/", "url_scheme"],
    ["javascript:alert(1)", "url_scheme"],
    ["https://coach@riders.example/", "value_error"],
    ["https://:secret@riders.example/", "value_error"],
    ["https://a{b}.example/", "url_parsing"],
  ])("%j is refused (%s)", (input, type) => {
    expect(normaliseLink(input)).toMatchObject({ ok: false, type });
  });
});

/** Link-like text: real URLs, their pieces shuffled, odd characters and spaces added. */
const linkText = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc
    .tuple(
      fc.constantFrom("http://", "HTTPS://", " https://", "https:", "http:\\\\", "https:///"),
      fc.constantFrom(
        "a.example",
        "例え.テスト",
        "xn--r8jz45g.xn--zckzah",
        "[::1]",
        "0x7f.1",
        "A..B",
        "ß.example",
      ),
      fc.constantFrom("", ":80", ":443", ":8080", ":"),
      fc.string({
        unit: fc.constantFrom(
          "/",
          "a",
          "%",
          "2",
          "e",
          ".",
          " ",
          "|",
          "^",
          "{",
          "#",
          "?",
          "é",
          "😀",
          "\\",
          "`",
          '"',
          "'",
          "[",
          "\t",
        ),
        maxLength: 20,
      }),
    )
    .map((parts) => parts.join("")),
  fc.string({ maxLength: 30 }),
);

describe("every accepted link", () => {
  it("comes back as a valid `format: uri` that normalising again leaves as it is", () => {
    let accepted = 0;
    fc.assert(
      fc.property(linkText, (text) => {
        const first = TeamPatch.safeParse({ url: text });
        if (!first.success) return;
        accepted += 1;
        const href = first.data.url as string;
        expect(isUri(href), href).toBe(true);
        const again = TeamPatch.safeParse({ url: href });
        expect(again.success && again.data.url).toBe(href);
      }),
      { numRuns: 2000 },
    );
    // Most generated text is a link: the property is not held by refusing everything.
    expect(accepted).toBeGreaterThan(500);
  });
});
