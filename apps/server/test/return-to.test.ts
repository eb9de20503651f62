import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { allowedReturnTo, leadsTo, withOutcome } from "../src/pages/return-to.js";
import { type PagesHarness, pagesHarness } from "./browser/pages-harness.js";

// Issue 12, item 1: a redirect target (`return_to`, `next`) is checked after it is normalised, so
// no dot segment or encoding turns a path on this server into a link to another site.

const OWN = "http://teams.local:8000";
const ALLOWED = ["https://app.example"];
const ORIGINS = [OWN, ...ALLOWED];

/** Where a browser on one of our pages goes when it follows `target`. */
const landsOn = (target: string) => new URL(target, OWN).origin;

/** The attacks as reported, and their variants. */
const TRICKY = [
  "/.//x//attacker.example",
  "/..//attacker.example",
  "/%2e%2e//attacker.example",
  "/%2E%2E//attacker.example",
  "/%2e.//attacker.example",
  "/.%2e//attacker.example",
  "/a/..//attacker.example",
  "/a/b/../..//attacker.example",
  "/./..//attacker.example",
  "/.//attacker.example",
  "/%2e//attacker.example",
  "/..///attacker.example",
  "/../../..//attacker.example/x?y#z",
  "/..//attacker.example:443/",
  "/..//user@attacker.example",
  "/..%2f/attacker.example",
  "/%2f/attacker.example",
  "/..\\/attacker.example",
  "/..%5c/attacker.example",
  "/../\t/attacker.example",
  "/..//%61ttacker.example",
  `${OWN}/..//attacker.example`,
  "https://app.example/..//attacker.example",
  "//attacker.example",
  "///attacker.example",
];

describe("return targets are checked after normalising", () => {
  it.each(TRICKY)("%s never leads off the allowed origins", (input) => {
    const result = allowedReturnTo(input, OWN, ALLOWED);
    if (result === undefined) return;
    expect(result.startsWith("//"), result).toBe(false);
    expect(ORIGINS).toContain(landsOn(result));
    expect(ORIGINS).toContain(landsOn(withOutcome(result, "granted")));
  });

  it("refuses the reported paths that normalise to a network path", () => {
    for (const input of [
      "/.//x//attacker.example",
      "/..//attacker.example",
      "/%2e%2e//attacker.example",
      "/a/..//attacker.example",
    ]) {
      expect(allowedReturnTo(input, OWN, ALLOWED), input).toBeUndefined();
    }
  });

  it("still keeps an ordinary path, normalised", () => {
    expect(allowedReturnTo("/a/../account/teams?x=1", OWN, ALLOWED)).toBe("/account/teams?x=1");
    expect(allowedReturnTo("/a/./b", OWN, ALLOWED)).toBe("/a/b");
  });

  it("for any generated path or address, the result lands on an allowed origin", () => {
    const segment = fc.constantFrom(
      "",
      ".",
      "..",
      "%2e",
      "%2E%2e",
      ".%2e",
      "%2e.",
      "x",
      "attacker.example",
      "attacker.example:80",
      "user@attacker.example",
      "%2f",
      "%5c",
      "\\",
      "@",
      ":",
      "?",
      "#",
      "%00",
      "\t",
    );
    const prefix = fc.constantFrom(
      "/",
      "//",
      "/\\",
      "",
      `${OWN}/`,
      `${ALLOWED[0]}/`,
      "https://attacker.example/",
      "http:/",
      "https:",
    );
    const input = fc.oneof(
      fc.tuple(prefix, fc.array(segment, { maxLength: 8 })).map(([p, s]) => p + s.join("/")),
      fc.string({ unit: "grapheme-ascii", maxLength: 30 }).map((s) => `/${s}`),
      fc.webUrl(),
    );
    fc.assert(
      fc.property(input, (raw) => {
        const result = allowedReturnTo(raw, OWN, ALLOWED);
        if (result === undefined) return;
        expect(result.startsWith("//")).toBe(false);
        expect(leadsTo(result, OWN, ALLOWED)).toBe(true);
        expect(ORIGINS).toContain(landsOn(result));
        for (const outcome of ["granted", "declined"] as const) {
          expect(ORIGINS).toContain(landsOn(withOutcome(result, outcome)));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("leadsTo refuses network paths, other origins and what browsers may read otherwise", () => {
    expect(leadsTo("/x", OWN, ALLOWED)).toBe(true);
    expect(leadsTo("https://app.example/y", OWN, ALLOWED)).toBe(true);
    for (const bad of ["//attacker.example", "https://attacker.example/", "/\\evil", "/a\nb"]) {
      expect(leadsTo(bad, OWN, ALLOWED), bad).toBe(false);
    }
  });
});

describe("the pages with such a target", () => {
  let h: PagesHarness;
  afterEach(() => h?.close());

  it("the consent page's Continue link for a person who already granted stays here", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    await h.teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: [] }, "club", {
      scopes: ["profile"],
    });
    for (const returnTo of [
      "/.//x//attacker.example",
      "/..//attacker.example",
      "/%2e%2e//attacker.example",
      "/a/..//attacker.example",
    ]) {
      const { res, body } = await h.page(
        `/teams/club/authorize?scopes=profile&return_to=${encodeURIComponent(returnTo)}`,
        cookie,
      );
      expect(res.status).toBe(200);
      expect(body).toContain("Club already has access");
      const href = /<a class="button primary" href="([^"]*)">Continue<\/a>/.exec(body)?.[1];
      expect(href, returnTo).toBe("/account/teams");
      expect(body).not.toContain("attacker.example");
    }
  });

  it("a declined consent form post goes home, not to the normalised network path", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    const page = await h.page("/teams/club/authorize?scopes=profile", cookie);
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? "";
    const res = await h.post(
      "/teams/club/authorize",
      {
        csrf_token: field("csrf_token"),
        asked: field("asked"),
        decision: "decline",
        return_to: "/..//attacker.example",
      },
      { cookie },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account/teams");
  });

  it("the development sign-in's next", async () => {
    h = await pagesHarness({ development: true });
    const token = await h.token({ sub: "carl" });
    for (const next of [
      "/..//attacker.example",
      "/.//attacker.example",
      "/%2e%2e//attacker.example",
      "/a/..//attacker.example",
    ]) {
      const res = await h.request(`/dev/sign-in?token=${token}&next=${encodeURIComponent(next)}`);
      expect(res.status, next).toBe(303);
      expect(res.headers.get("location"), next).toBe("/account/teams");
    }
  });
});
