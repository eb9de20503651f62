import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import {
  hiddenField,
  OWN_ORIGIN,
  type PagesHarness,
  pagesHarness,
} from "./browser/pages-harness.js";
import { SECRET, token } from "./harness.js";
import { memoryLogger } from "./support/memory-logger.js";

// The browser pages of DESIGN §4 in process: what a person sees, what a form post changes, and that
// the REST API agrees after every step.

let h: PagesHarness;
afterEach(() => h?.close());

const APP = "https://app.example";
const consentPath = (scopes = "data:read,data:write,profile", returnTo?: string) =>
  `/teams/club/authorize?scopes=${scopes}${returnTo ? `&return_to=${encodeURIComponent(returnTo)}` : ""}`;

/** Opens the consent page and reads the form a browser would post. */
async function openConsent(cookie: string, path = consentPath()) {
  const { res, body } = await h.page(path, cookie);
  expect(res.status, body).toBe(200);
  const csrf = hiddenField(body, "csrf_token");
  const asked = hiddenField(body, "asked");
  expect(csrf).toBeTruthy();
  expect(asked).toBeTruthy();
  return {
    body,
    csrf: csrf as string,
    asked: asked as string,
    returnTo: hiddenField(body, "return_to"),
  };
}

/** `cookie` with the notice cookie `res` set added, as a browser following its 303 sends them. */
function withNotice(cookie: string, res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  expect(set).toMatch(/^teams_notice=/);
  return `${cookie}; ${set.split(";")[0]}`;
}

/** The fields a browser posts when the person confirms `form` with `ticked` left ticked. */
const allowing = (
  form: { csrf: string; asked: string },
  ...ticked: string[]
): [string, string][] => [
  ["csrf_token", form.csrf],
  ["asked", form.asked],
  ...ticked.map((scope): [string, string] => ["scope", scope]),
  ["decision", "allow"],
];

describe("the consent page", () => {
  it("shows the team as its owner described it and each scope in plain words, with the page headers", async () => {
    h = await pagesHarness();
    const { res, body } = await h.page(consentPath(), await h.cookie({ sub: "carl" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");

    expect(body).toContain("Share your data with Club?");
    expect(body).toContain("Club description");
    expect(body).toContain('src="https://club.example/logo.png"');
    expect(body).toContain('href="https://club.example/"');
    expect(body).toMatch(/<a href="https:\/\/club\.example\/privacy"[^>]*>Privacy statement/);
    for (const words of [
      "See your training data",
      "Add and change your training data",
      "See your profile",
    ]) {
      expect(body).toContain(words);
    }
    for (const scope of ["data:read", "data:write", "profile"]) {
      expect(body).toContain(`<input type="checkbox" name="scope" value="${scope}" checked>`);
    }
    expect(body).not.toMatch(/<script/i);
    expect(body).toContain('<link rel="stylesheet" href="/assets/teams.css">');
  });

  it("records what was kept ticked, then shows it on the teams page, as the REST API does", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    const form = await openConsent(cookie);
    const res = await h.post("/teams/club/authorize", allowing(form, "data:read", "profile"), {
      cookie,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account/teams");
    expect(await h.authorized("carl")).toEqual([{ id: "club", scopes: ["data:read", "profile"] }]);

    // The outcome travels in the one-time notice cookie the post set, as a browser sends it back.
    const { body } = await h.page("/account/teams", withNotice(cookie, res));
    expect(body).toContain("Club now has access to your data.");
    expect(body).toContain("See your training data");
    expect(body).toContain("See your profile");
    expect(body).not.toContain("Add and change your training data");
    expect(body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+">/);
    expect(body).toContain('Revoke access<span class="visually-hidden"> for Club</span>');
    expect(body).toContain("<summary>History</summary>");
    expect(body).toContain("You allowed: See your training data, See your profile.");

    const revoke = await h.post(
      "/account/teams/club/revoke",
      { csrf_token: hiddenField(body, "csrf_token") ?? "" },
      { cookie },
    );
    expect(revoke.status).toBe(303);
    expect(revoke.headers.get("location")).toBe("/account/teams");
    expect(await h.authorized("carl")).toEqual([]);
    const after = await h.page("/account/teams", withNotice(cookie, revoke));
    expect(after.body).toContain("Club no longer has access to your data.");
    expect(after.body).toContain("You do not share your data with any team.");
    // The history of both, in plain words, newest first; the log says the person did it here.
    expect(after.body).toContain("Teams you no longer share with");
    const took = after.body.indexOf("You took back all access.");
    const allowed = after.body.indexOf("You allowed: See your training data, See your profile.");
    expect(took).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThan(took);
    const records = await h.teams.listAuthorizationHistory({
      userId: "carl",
      authorizedParty: null,
      scopes: [],
    });
    expect(records.items.map((r) => [r.type, r.actor.via, r.cause])).toEqual([
      ["authorization.granted", "browser", "user"],
      ["authorization.revoked", "browser", "user"],
    ]);
  });

  it("says so when every scope asked is already granted, and asks only for the new ones otherwise", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    await h.teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: [] }, "club", {
      scopes: ["data:read", "profile"],
    });
    const again = await h.page(consentPath("profile,data:read", APP), cookie);
    expect(again.res.status).toBe(200);
    expect(again.body).toContain("Club already has access");
    expect(again.body).not.toContain('/authorize"');

    const more = await openConsent(cookie, consentPath("data:read,data:write"));
    expect(more.body).toContain('<input type="checkbox" name="scope" value="data:write" checked>');
    expect(more.body).not.toContain('value="data:read" checked');
    expect(more.body).toContain("Club can already:");
    const res = await h.post("/teams/club/authorize", allowing(more, "data:write"), { cookie });
    expect(res.status).toBe(303);
    // The page adds; what the team held stays.
    expect(await h.authorized("carl")).toEqual([
      { id: "club", scopes: ["data:read", "data:write", "profile"] },
    ]);
  });

  it("never restores what was revoked while the page was open: it adds to what the team holds then", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    const carl = { userId: "carl", authorizedParty: null, scopes: [] };
    await h.teams.consentToTeam(carl, "club", { scopes: ["data:read", "profile"] });
    const more = await openConsent(cookie, consentPath("data:read,data:write"));
    expect(more.body).toContain("Club can already:");
    // In another tab, the person takes everything back; then confirms the page still open here.
    await h.teams.withdrawConsent(carl, "club");
    const res = await h.post("/teams/club/authorize", allowing(more, "data:write"), { cookie });
    expect(res.status).toBe(303);
    expect(await h.authorized("carl")).toEqual([{ id: "club", scopes: ["data:write"] }]);
  });

  it("declining changes nothing and goes back; allowing with nothing ticked asks again", async () => {
    h = await pagesHarness({ allowedReturnOrigins: [APP] });
    const cookie = await h.cookie({ sub: "carl" });
    const form = await openConsent(cookie, consentPath(undefined, `${APP}/back?x=1`));
    expect(form.returnTo).toBe(`${APP}/back?x=1`);
    const declined = await h.post(
      "/teams/club/authorize",
      {
        csrf_token: form.csrf,
        asked: form.asked,
        return_to: `${APP}/back?x=1`,
        decision: "decline",
      },
      { cookie },
    );
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe(`${APP}/back?x=1&consent=declined`);
    const none = await h.post(
      "/teams/club/authorize",
      { csrf_token: form.csrf, asked: form.asked, decision: "allow" },
      { cookie },
    );
    expect(none.status).toBe(422);
    expect(await none.text()).toContain("Tick at least one thing to share, or choose Decline.");
    expect(await h.authorized("carl")).toEqual([]);
  });

  it("answers people with HTML pages and proper statuses for what cannot be shown", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    const cases: [string, number, string][] = [
      ["/teams/nope/authorize?scopes=data:read", 404, "Team not found"],
      [`/teams/${"x".repeat(300)}/authorize?scopes=data:read`, 404, "Team not found"],
      ["/teams/club/authorize?scopes=data:read,admin", 400, "<code>admin</code>"],
      ["/teams/club/authorize", 400, "does not say what it asks for"],
      ["/teams/club/authorize?scopes=", 400, "does not say what it asks for"],
    ];
    for (const [path, status, text] of cases) {
      const { res, body } = await h.page(path, cookie);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(body, path).toContain(text);
    }
    const { body } = await h.page("/account/teams", cookie);
    const revoke = await h.post(
      "/account/teams/club/revoke",
      { csrf_token: hiddenField(body, "csrf_token") ?? "" },
      { cookie },
    );
    expect(revoke.status).toBe(404);
    expect(await revoke.text()).toContain("Authorization not found");
    const json = await h.post(
      "/account/teams/club/revoke",
      {},
      {
        cookie,
        headers: { "content-type": "application/json" },
      },
    );
    expect(json.status).toBe(415);
  });

  it("answers an unexpected failure with an HTML 500 that reveals nothing, and reports it", async () => {
    const store = await openSqliteStore({ filename: ":memory:" });
    try {
      const teams = createTeams(store);
      const { logger, bugs: reported } = await memoryLogger();
      const app = createApp({
        teams: {
          ...teams,
          listAuthorizedTeams: () => Promise.reject(new Error("disk on fire at /secret/path")),
        },
        authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
        ping: store.ping,
        logger,
      });
      const res = await app.request("/account/teams", {
        headers: { cookie: `token=${await token({ sub: "carl" })}` },
      });
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const body = await res.text();
      expect(body).toContain("Something went wrong");
      expect(body).not.toContain("secret");
      expect(reported).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("serves its one stylesheet itself, with no external asset", async () => {
    h = await pagesHarness();
    const res = await h.request("/assets/teams.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const css = await res.text();
    expect(css).toContain("@media (max-width: 30rem)");
    expect(css).not.toMatch(/url\(|@import/);
  });
});

describe("signing in", () => {
  it("explains how to sign in when there is no session, or it is not valid, and never reads a header token", async () => {
    h = await pagesHarness();
    const bearer = `Bearer ${await h.token({ sub: "carl" })}`;
    for (const [path, headers, expired] of [
      ["/account/teams", {}, false],
      [consentPath(), { authorization: bearer }, false],
      ["/account/teams", { cookie: "token=not.a.token" }, true],
    ] as const) {
      const res = await h.request(path, { headers });
      expect(res.status, path).toBe(401);
      const body = await res.text();
      expect(body).toContain("Sign in to continue");
      expect(body).toContain("Sign in through the service that sent you here");
      expect(body).not.toContain("teams token");
      expect(body.includes("Your session has expired"), path).toBe(expired);
    }
    const res = await h.request(consentPath());
    expect(await res.text()).toContain(`href="${consentPath().replace(/&/g, "&amp;")}"`);
  });

  it("in development mode, a sign-in link sets the session cookie and opens the teams page", async () => {
    h = await pagesHarness({ development: true });
    const signIn = await h.page("/account/teams");
    expect(signIn.res.status).toBe(401);
    expect(signIn.body).toContain("teams token --sub YOUR_USER_ID --link");

    const token = await h.token({ sub: "carl" });
    const res = await h.request(`/dev/sign-in?token=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account/teams");
    expect(res.headers.get("set-cookie")).toBe(`token=${token}; Path=/; HttpOnly; SameSite=Lax`);
    const page = await h.page("/account/teams", `token=${token}`);
    expect(page.res.status).toBe(200);

    const next = await h.request(
      `/dev/sign-in?token=${token}&next=${encodeURIComponent("/teams/club/authorize?scopes=profile")}`,
    );
    expect(next.headers.get("location")).toBe("/teams/club/authorize?scopes=profile");
    for (const evil of ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]) {
      const r = await h.request(`/dev/sign-in?token=${token}&next=${encodeURIComponent(evil)}`);
      expect(r.headers.get("location"), evil).toBe("/account/teams");
    }

    for (const bad of ["", "not.a.token", `${token}x`]) {
      const r = await h.request(`/dev/sign-in?token=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.headers.get("set-cookie")).toBeNull();
      expect(await r.text()).toContain("This sign-in link does not work");
    }
  });

  it("has no sign-in link outside development mode: the route does not exist", async () => {
    h = await pagesHarness();
    const res = await h.request(`/dev/sign-in?token=${await h.token({ sub: "carl" })}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.json()).toEqual({ detail: "Not Found" });
  });

  it("says who is signed in; 'Not you?' signs out and comes back to the page, to sign in again", async () => {
    h = await pagesHarness();
    // A person first seen in this token: recorded with its name, which the header says.
    const cookie = await h.cookie({ sub: "dora", given_name: "Dora" });
    const { body } = await h.page("/teams/club/authorize?scopes=profile&return_to=/x", cookie);
    expect(body).toContain("Signed in as <strong>Dora</strong>");
    const next = hiddenField(body, "next");
    expect(next).toBe("/teams/club/authorize?scopes=profile&return_to=%2Fx");
    const res = await h.post(
      "/auth/sign-out",
      { csrf_token: hiddenField(body, "csrf_token") ?? "", next: next ?? "" },
      { cookie },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(next);
    expect(res.headers.get("set-cookie")).toBe("token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    // Signed out, the page asks for a sign-in that leads back to it.
    const again = await h.page(next ?? "");
    expect(again.res.status).toBe(401);
    expect(again.body).toContain("Sign in to continue");
    // A `next` elsewhere is not followed.
    const evil = await h.post(
      "/auth/sign-out",
      { csrf_token: hiddenField(body, "csrf_token") ?? "", next: "//evil.example/" },
      { cookie },
    );
    expect(evil.headers.get("location")).toBe("/account/teams");
  });

  it("signs out by clearing the cookie", async () => {
    h = await pagesHarness();
    const cookie = await h.cookie({ sub: "carl" });
    const { body } = await h.page("/account/teams", cookie);
    const res = await h.post(
      "/auth/sign-out",
      { csrf_token: hiddenField(body, "csrf_token") ?? "" },
      { cookie },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toBe("token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  });
});

describe("safety: refused or neutralised, with nothing changed", () => {
  /** carl's consent form, ready to post with data:read. */
  async function carlForm() {
    const cookie = await h.cookie({ sub: "carl" });
    const form = await openConsent(cookie);
    const fields = {
      csrf_token: form.csrf,
      asked: form.asked,
      scope: "data:read",
      decision: "allow",
    };
    return { cookie, fields };
  }

  it("refuses a consent posted from another origin or site", async () => {
    h = await pagesHarness();
    const { cookie, fields } = await carlForm();
    const refusedHeaders: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: "http://localhost:8080" },
      { origin: OWN_ORIGIN, "sec-fetch-site": "cross-site" },
      { origin: OWN_ORIGIN, "sec-fetch-site": "same-site" },
    ];
    for (const headers of refusedHeaders) {
      const res = await h.post("/teams/club/authorize", fields, { cookie, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toContain("sent from another site");
    }
    expect(await h.authorized("carl")).toEqual([]);
  });

  const tampered = (t: string) => (t.startsWith("A") ? "B" : "A") + t.slice(1);

  it("refuses a consent or a revocation without the session's CSRF token", async () => {
    h = await pagesHarness();
    const { cookie, fields } = await carlForm();
    const otherSession = await h.cookie({ sub: "carl", given_name: "Carl" });
    const theirs = hiddenField((await h.page("/account/teams", otherSession)).body, "csrf_token");
    const { csrf_token: _, ...withoutToken } = fields;
    for (const [name, form] of [
      ["missing", withoutToken],
      ["empty", { ...fields, csrf_token: "" }],
      ["wrong", { ...fields, csrf_token: tampered(fields.csrf_token) }],
      ["garbage", { ...fields, csrf_token: "%%%" }],
      ["another session's", { ...fields, csrf_token: theirs ?? "" }],
    ] as const) {
      const res = await h.post("/teams/club/authorize", form, { cookie });
      expect(res.status, name).toBe(403);
      expect(await res.text(), name).toContain("This form has expired");
    }
    expect(await h.authorized("carl")).toEqual([]);

    // With a grant in place, revoking is protected the same way.
    const ok = await h.post("/teams/club/authorize", fields, { cookie });
    expect(ok.status).toBe(303);
    for (const [form, headers] of [
      [{}, {}],
      [{ csrf_token: "forged" }, {}],
      [{ csrf_token: fields.csrf_token }, { origin: "https://evil.example" }],
      [{ csrf_token: fields.csrf_token }, { "sec-fetch-site": "cross-site" }],
    ] as const) {
      const res = await h.post("/account/teams/club/revoke", form, { cookie, headers });
      expect(res.status).toBe(403);
    }
    expect(await h.authorized("carl")).toEqual([{ id: "club", scopes: ["data:read"] }]);
  });

  it("accepts a form shown by another instance sharing TEAMS_CSRF_SECRET, and refuses it otherwise", async () => {
    const shared = new Uint8Array(32).fill(42);
    h = await pagesHarness({ csrfSecret: shared });
    const cookie = await h.cookie({ sub: "carl" });
    const form = await openConsent(cookie);
    const allow = allowing(form, "profile");
    // An instance with a secret of its own cannot check the token: refused, nothing changes.
    const stranger = await h.twin(new Uint8Array(32).fill(7)).post("/teams/club/authorize", allow, {
      cookie,
    });
    expect(stranger.status).toBe(403);
    expect(await h.authorized("carl")).toEqual([]);
    const sibling = await h.twin(shared).post("/teams/club/authorize", allow, { cookie });
    expect(sibling.status).toBe(303);
    expect(await h.authorized("carl")).toEqual([{ id: "club", scopes: ["profile"] }]);
  });

  it("sends the person home instead of to a return_to that is not allowed", async () => {
    h = await pagesHarness({ allowedReturnOrigins: [APP] });
    const cookie = await h.cookie({ sub: "carl" });
    const evil = "https://evil.example/phish";
    const form = await openConsent(cookie, consentPath("data:read", evil));
    expect(form.returnTo).toBeUndefined();
    expect(form.body).not.toContain("evil.example");
    const res = await h.post(
      "/teams/club/authorize",
      {
        csrf_token: form.csrf,
        asked: form.asked,
        scope: "data:read",
        return_to: evil,
        decision: "allow",
      },
      { cookie },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account/teams");
    const allowed = await h.post(
      "/teams/club/authorize",
      {
        csrf_token: form.csrf,
        asked: form.asked,
        scope: "data:read",
        return_to: `${APP}/done`,
        decision: "allow",
      },
      { cookie },
    );
    expect(allowed.headers.get("location")).toBe(`${APP}/done?consent=granted`);
    const page = await h.page(consentPath("data:write"), cookie);
    expect(page.res.headers.get("content-security-policy")).toContain(`form-action 'self' ${APP}`);
  });

  it("escapes everything a team owner wrote", async () => {
    h = await pagesHarness();
    const owner = { userId: "coach", authorizedParty: null, scopes: [] };
    await h.teams.updateTeam(owner, "club", {
      name: '<script>alert("name")</script>',
      description: '"><img src=x onerror=alert(1)> & <b>bold</b>',
      url: 'https://club.example/?q="><script>alert(2)</script>',
    });
    const cookie = await h.cookie({ sub: "carl" });
    const form = await openConsent(cookie);
    const posted = await h.post(
      "/teams/club/authorize",
      { csrf_token: form.csrf, asked: form.asked, scope: "profile", decision: "allow" },
      { cookie },
    );
    expect(posted.status).toBe(303);
    const account = await h.page("/account/teams", cookie);
    for (const body of [form.body, account.body]) {
      expect(body).not.toMatch(/<script|<img src=x|<b>bold/i);
      expect(body).toContain("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;");
      expect(body).toContain(
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
      );
    }
  });

  it("refuses a delegated session and a managed user's own, on every page", async () => {
    h = await pagesHarness();
    for (const claims of [{ sub: "ann", azp: "coach" }, { sub: "ann" }]) {
      const cookie = await h.cookie(claims);
      for (const path of [consentPath(), "/account/teams"]) {
        const { res, body } = await h.page(path, cookie);
        expect(res.status, path).toBe(403);
        expect(body).toContain("This session cannot use this page");
      }
      for (const path of ["/teams/club/authorize", "/account/teams/club/revoke"]) {
        const res = await h.post(
          path,
          { asked: "data:read", scope: "data:read", decision: "allow" },
          { cookie },
        );
        expect(res.status, path).toBe(403);
      }
    }
    expect(await h.authorized("ann")).toEqual([]);
    // The delegated token keeps working where it belongs: the API.
    const api = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: {
        authorization: `Bearer ${await h.token({ sub: "ann", azp: "coach" })}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ scopes: ["data:read"] }),
    });
    expect(api.status).toBe(200);
    const cookie = await h.cookie({ sub: "ann", azp: "coach" });
    expect((await h.post("/account/teams/club/revoke", {}, { cookie })).status).toBe(403);
    expect(await h.authorized("ann")).toEqual([{ id: "club", scopes: ["data:read"] }]);
  });
});
