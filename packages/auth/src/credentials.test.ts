import { describe, expect, it } from "vitest";
import { readCookie } from "./cookie.js";
import { type RequestCredentials, readCredential } from "./credentials.js";

const M = { kind: "malformed", source: "authorization" } as const;

describe("readCredential: DESIGN §2 order, first present wins", () => {
  const cases: [string, RequestCredentials, ReturnType<typeof readCredential>][] = [
    ["nothing", {}, { kind: "absent" }],
    ["all null", { authorization: null, refreshedToken: null, cookie: null }, { kind: "absent" }],
    [
      "header",
      { authorization: "Bearer h" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "refreshed-token",
      { refreshedToken: "r" },
      { kind: "token", token: "r", source: "refreshed-token" },
    ],
    ["cookie", { cookie: "token=c" }, { kind: "token", token: "c", source: "cookie" }],
    [
      "header beats refreshed-token and cookie",
      { authorization: "Bearer h", refreshedToken: "r", cookie: "token=c" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "refreshed-token beats cookie",
      { refreshedToken: "r", cookie: "token=c" },
      { kind: "token", token: "r", source: "refreshed-token" },
    ],
    [
      "a Basic header does not fall back to the cookie",
      { authorization: "Basic dXNlcjpwYXNz", cookie: "token=c" },
      M,
    ],
    ["an empty bearer does not fall back", { authorization: "Bearer", refreshedToken: "r" }, M],
    ["an empty bearer with a trailing space", { authorization: "Bearer " }, M],
    ["a bearer of two words", { authorization: "Bearer a b" }, M],
    ["a bare token without scheme", { authorization: "eyJ.a.b" }, M],
    [
      "scheme is case-insensitive (lower)",
      { authorization: "bearer h" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "scheme is case-insensitive (upper)",
      { authorization: "BEARER h" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "scheme is case-insensitive (mixed)",
      { authorization: "bEaReR h" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "several spaces after the scheme",
      { authorization: "Bearer   h" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "surrounding whitespace",
      { authorization: "  Bearer h  " },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "a tab after the scheme",
      { authorization: "Bearer\th" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    [
      "an empty Authorization header is present and unusable: no fallback",
      { authorization: "", cookie: "token=c" },
      M,
    ],
    ["a blank Authorization header is unusable", { authorization: "  ", refreshedToken: "r" }, M],
    [
      "an empty refreshed-token header is present and unusable: no fallback",
      { refreshedToken: "", cookie: "token=c" },
      { kind: "malformed", source: "refreshed-token" },
    ],
    [
      "a blank refreshed-token header is unusable",
      { refreshedToken: "  ", cookie: "token=c" },
      { kind: "malformed", source: "refreshed-token" },
    ],
    ["an empty token cookie counts as absent", { cookie: "token=" }, { kind: "absent" }],
    ["other cookies only", { cookie: "session=s; theme=dark" }, { kind: "absent" }],
    ["Digest scheme", { authorization: 'Digest username="u"' }, M],
  ];
  it.each(cases)("%s", (_, credentials, expected) => {
    expect(readCredential(credentials)).toEqual(expected);
  });

  const headerOnly: [string, RequestCredentials, ReturnType<typeof readCredential>][] = [
    ["cookie ignored", { cookie: "token=c" }, { kind: "absent" }],
    ["refreshed-token ignored", { refreshedToken: "r" }, { kind: "absent" }],
    ["both ignored", { refreshedToken: "r", cookie: "token=c" }, { kind: "absent" }],
    ["empty header: present, unusable", { authorization: "", cookie: "token=c" }, M],
    [
      "header used",
      { authorization: "Bearer h", cookie: "token=c" },
      { kind: "token", token: "h", source: "authorization" },
    ],
    ["Basic header", { authorization: "Basic x" }, M],
  ];
  it.each(headerOnly)("headerOnly: %s", (_, credentials, expected) => {
    expect(readCredential(credentials, true)).toEqual(expected);
  });
});

describe("readCookie", () => {
  const cases: [string, string | undefined][] = [
    ["token=abc", "abc"],
    ["a=1; token=abc; b=2", "abc"],
    ["a=1;token=abc;b=2", "abc"],
    ["  token = abc  ", "abc"],
    ['token="abc"', "abc"],
    ["token=a%2Eb%20c", "a.b c"],
    ['token="a%2Eb"', "a.b"],
    ["token=%E0%A4%A", "%E0%A4%A"],
    ["token=x=y", "x=y"],
    ["mytoken=1; token_x=2", undefined],
    ["xtoken=1; token=2", "2"],
    ["token=1; token=2", "1"],
    ["token", undefined],
    ["token; other=1", undefined],
    ["", undefined],
    ["token=", ""],
    ['token=""', ""],
    [";;token=abc;;", "abc"],
  ];
  it.each(cases)("%j → %j", (header, expected) => {
    expect(readCookie(header, "token")).toBe(expected);
  });
});
