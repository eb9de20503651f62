import { afterEach, describe, expect, it } from "vitest";
import { createNoticeSeal, NOTICE_COOKIE } from "../src/pages/page-notice.js";
import { hiddenField, type PagesHarness, pagesHarness } from "./browser/pages-harness.js";

// Issue 12, item 6: the teams page says "X no longer has access to your data" only after the
// person's own revoke (or grant) post, never because the address says so: a crafted
// `?revoked=<team>` with a team named like a security alert was a phishing page on this site.

let h: PagesHarness;
afterEach(() => h?.close());

const STATUS = /<p class="notice success" role="status">/;
const cookiePart = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0] as string;

async function carlWithClub() {
  h = await pagesHarness();
  const cookie = await h.cookie({ sub: "carl" });
  await h.teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: [] }, "club", {
    scopes: ["profile"],
  });
  return cookie;
}

describe("notices on the teams page", () => {
  it("are not shown from the address, whatever it names (the attack as written)", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    // A team carl never authorized, named like an alert: anyone may create one.
    const alert = await h.teams.createTeam(
      { userId: "coach", authorizedParty: null, scopes: [] },
      {
        name: "SECURITY ALERT: your password leaked, reset it at reset.example",
        description: "",
        url: "https://reset.example/",
        image: "https://reset.example/logo.png",
        privacy_statement: "https://reset.example/privacy",
      },
    );
    for (const path of [
      `/account/teams?revoked=${encodeURIComponent(alert.id)}`,
      "/account/teams?revoked=club",
      "/account/teams?granted=club",
      "/account/teams?notice=Your%20account%20is%20locked",
      "/account/teams?consent=granted",
    ]) {
      const { res, body } = await h.page(path, cookie);
      expect(res.status, path).toBe(200);
      expect(body, path).not.toMatch(STATUS);
      expect(body, path).not.toContain("no longer has access");
      expect(body, path).not.toContain("SECURITY ALERT");
    }
  });

  it("are not shown from a crafted, tampered, expired or another session's notice cookie", async () => {
    const cookie = await carlWithClub();
    const otherSession = await h.cookie({ sub: "coach" });
    const { body } = await h.page("/account/teams", cookie);
    const revoke = await h.post(
      "/account/teams/club/revoke",
      { csrf_token: hiddenField(body, "csrf_token") ?? "" },
      { cookie },
    );
    const real = cookiePart(revoke);
    expect(real.startsWith(`${NOTICE_COOKIE}=`)).toBe(true);
    const value = real.slice(NOTICE_COOKIE.length + 1);
    const [payload, mac] = value.split(".") as [string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ k: "revoked", t: "club", e: 9_999_999_999 }),
    ).toString("base64url");
    const expired = createNoticeSeal(new Uint8Array(32), () => 0)
      .set("x", { kind: "revoked", teamId: "club" }, false)
      .split(";")[0] as string;
    for (const [what, notice] of [
      ["unsigned", `${NOTICE_COOKIE}=${forgedPayload}`],
      ["forged payload, real MAC", `${NOTICE_COOKIE}=${forgedPayload}.${mac}`],
      ["padded MAC", `${NOTICE_COOKIE}=${payload}.${mac}=`],
      ["signed by another secret, long expired", expired],
      ["garbage", `${NOTICE_COOKIE}=%%%`],
    ]) {
      const page = await h.page("/account/teams", `${cookie}; ${notice}`);
      expect(page.body, what).not.toMatch(STATUS);
      // A notice cookie is forgotten whether or not it was good.
      expect(page.res.headers.get("set-cookie"), what).toMatch(/^teams_notice=; .*Max-Age=0/);
    }
    // The real one, for coach's session instead of carl's, says nothing either.
    const theirs = await h.page("/account/teams", `${otherSession}; ${real}`);
    expect(theirs.body).not.toMatch(STATUS);
  });

  it("are shown once after the person's own post, and only while still true", async () => {
    const cookie = await carlWithClub();
    const { body } = await h.page("/account/teams", cookie);
    const revoke = await h.post(
      "/account/teams/club/revoke",
      { csrf_token: hiddenField(body, "csrf_token") ?? "" },
      { cookie },
    );
    expect(revoke.status).toBe(303);
    expect(revoke.headers.get("location")).toBe("/account/teams");
    const set = revoke.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/; Path=\/account\/teams; HttpOnly; SameSite=Lax; Max-Age=60$/);
    const withIt = `${cookie}; ${cookiePart(revoke)}`;

    const shown = await h.page("/account/teams", withIt);
    expect(shown.body).toContain("Club no longer has access to your data.");
    expect(shown.res.headers.get("set-cookie")).toMatch(/^teams_notice=; .*Max-Age=0/);
    // Nothing else of the page is cached: the page headers stay.
    expect(shown.res.headers.get("cache-control")).toBe("no-store");

    // No longer true (carl granted club again): the old outcome says nothing.
    await h.teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: [] }, "club", {
      scopes: ["profile"],
    });
    const stale = await h.page("/account/teams", withIt);
    expect(stale.body).not.toMatch(STATUS);
  });

  it("a signed notice expires after a minute", () => {
    let now = 1_000_000_000_000;
    const seal = createNoticeSeal(new Uint8Array(32).fill(3), () => now);
    const header = seal.set("s", { kind: "granted", teamId: "club" }, true).split(";")[0] as string;
    expect(seal.set("s", { kind: "granted", teamId: "club" }, true)).toContain("; Secure;");
    expect(seal.read("s", header)).toEqual({ kind: "granted", teamId: "club" });
    expect(seal.read("t", header)).toBeUndefined();
    now += 61_000;
    expect(seal.read("s", header)).toBeUndefined();
  });
});
