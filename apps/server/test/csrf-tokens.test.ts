import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalBase64url, createCsrfGuard } from "../src/pages/csrf.js";
import { hiddenField, type PagesHarness, pagesHarness } from "./browser/pages-harness.js";

// Issue 12, item 11: a form token has one spelling. Node's base64url decoder skips what does not
// belong (padding, other characters, stray low bits), so a token was accepted in many spellings.

const guard = createCsrfGuard(new Uint8Array(32).fill(7));
const token = guard.tokenFor("session-a");

/** Other spellings Node decodes to the same bytes. */
const spellings = (t: string) => {
  const last = t.at(-1) as string;
  // 32 bytes are 43 characters with 2 unused low bits in the last one: flipping them decodes alike.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const index = alphabet.indexOf(last);
  const strayBits = alphabet[(index & ~3) | ((index + 1) & 3)] as string;
  return [
    `${t}=`,
    `${t}==`,
    `${t}.`,
    ` ${t}`,
    `${t} `,
    `${t.slice(0, 10)}=${t.slice(10)}`,
    `${t.slice(0, 10)}\n${t.slice(10)}`,
    t.replaceAll("-", "+").replaceAll("_", "/"),
    `${t.slice(0, -1)}${strayBits}`,
  ].filter((s) => s !== t);
};

describe("CSRF tokens: canonical base64url only", () => {
  it("accepts the token as issued, refuses every other spelling of its bytes", () => {
    expect(guard.verify("session-a", token)).toBe(true);
    // What made the hole: these decode to the very bytes of the token.
    for (const alike of [`${token}=`, spellings(token).at(-1) as string]) {
      expect(Buffer.from(alike, "base64url").equals(Buffer.from(token, "base64url"))).toBe(true);
    }
    for (const other of spellings(token)) {
      expect(guard.verify("session-a", other), JSON.stringify(other)).toBe(false);
    }
  });

  it("canonicalBase64url holds exactly for what Node writes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(canonicalBase64url(Buffer.from(bytes).toString("base64url"))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const canonical = Buffer.from(text, "base64url").toString("base64url") === text;
        expect(canonicalBase64url(text)).toBe(canonical);
      }),
    );
  });

  describe("on a form post", () => {
    let h: PagesHarness;
    afterEach(() => h?.close());

    it("a token with a trailing = is refused and changes nothing", async () => {
      h = await pagesHarness();
      const cookie = await h.cookie({ sub: "carl" });
      await h.teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: [] }, "club", {
        scopes: ["profile"],
      });
      const { body } = await h.page("/account/teams", cookie);
      const csrf = hiddenField(body, "csrf_token") ?? "";
      for (const other of spellings(csrf)) {
        const res = await h.post("/account/teams/club/revoke", { csrf_token: other }, { cookie });
        expect(res.status, JSON.stringify(other)).toBe(403);
      }
      expect(await h.authorized("carl")).toEqual([{ id: "club", scopes: ["profile"] }]);
      const ok = await h.post("/account/teams/club/revoke", { csrf_token: csrf }, { cookie });
      expect(ok.status).toBe(303);
    });
  });
});
