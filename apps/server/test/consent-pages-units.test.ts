import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { signInLink } from "../src/cli/token-command.js";
import { isCrossSite } from "../src/http/cross-site.js";
import { createCsrfGuard } from "../src/pages/csrf.js";
import { escapeHtml, html, raw, safeLink } from "../src/pages/html.js";
import { allowedReturnTo, withOutcome } from "../src/pages/return-to.js";
import { parseAskedScopes } from "../src/pages/scope-words.js";
import { runCli } from "./process.js";

const OWN = "http://teams.local:8000";
const ALLOWED = ["https://app.example"];

describe("allowedReturnTo: only this server and the configured origins", () => {
  it.each<[string, string | undefined]>([
    ["https://app.example/done", "https://app.example/done"],
    ["https://app.example", "https://app.example/"],
    ["https://app.example/a?b=1#c", "https://app.example/a?b=1#c"],
    ["http://teams.local:8000/account/teams", "http://teams.local:8000/account/teams"],
    ["/account/teams?x=1", "/account/teams?x=1"],
    ["/", "/"],
    // other sites, and the ways of dressing one up as a path or as the allowed origin
    ["https://evil.example/", undefined],
    ["http://app.example/done", undefined],
    ["https://app.example:8443/", undefined],
    ["https://app.example.evil.example/", undefined],
    ["https://evil.example/https://app.example", undefined],
    ["https://user:pw@app.example/", undefined],
    ["//evil.example/", undefined],
    ["///evil.example/", undefined],
    ["/\\evil.example/", undefined],
    ["\\\\evil.example", undefined],
    ["/\t/evil.example", undefined],
    [" https://app.example/", undefined],
    ["javascript:alert(1)", undefined],
    ["JavaScript://app.example/%0aalert(1)", undefined],
    ["data:text/html,<script>alert(1)</script>", undefined],
    ["app.example/done", undefined],
    ["", undefined],
    [`https://app.example/${"a".repeat(2000)}`, undefined],
  ])("%s → %s", (input, expected) => {
    expect(allowedReturnTo(input, OWN, ALLOWED)).toBe(expected);
  });

  it("adds the outcome to the address, keeping what it had", () => {
    expect(withOutcome("https://app.example/a?b=1#c", "granted")).toBe(
      "https://app.example/a?b=1&consent=granted#c",
    );
    expect(withOutcome("/account/teams", "declined")).toBe("/account/teams?consent=declined");
  });
});

describe("html: team owners' text is always escaped", () => {
  it("escapes values but not markup it built, and drops empty values", () => {
    const name = `<script>alert('x')</script> & "quotes"`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;</p>',
    );
    expect(html`<ul>${["<a>", html`<li>${"<b>"}</li>`]}</ul>`.value).toBe(
      "<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>",
    );
    expect(html`${null}${undefined}${false}${0}${raw("<hr>")}`.value).toBe("0<hr>");
    expect(escapeHtml("a&b")).toBe("a&amp;b");
  });

  it("links only http(s) addresses", () => {
    expect(safeLink("https://club.example/privacy")).toBe("https://club.example/privacy");
    expect(safeLink("javascript:alert(1)")).toBeUndefined();
    expect(safeLink("data:image/png;base64,AAAA")).toBeUndefined();
    expect(safeLink("not a url")).toBeUndefined();
  });
});

describe("CSRF tokens and the origin check", () => {
  it("binds a token to its session and to this server's secret", () => {
    const guard = createCsrfGuard(new Uint8Array(32).fill(7));
    const token = guard.tokenFor("session-a");
    expect(guard.verify("session-a", token)).toBe(true);
    expect(guard.verify("session-b", token)).toBe(false);
    expect(guard.verify("session-a", guard.tokenFor("session-b"))).toBe(false);
    expect(createCsrfGuard(new Uint8Array(32).fill(8)).verify("session-a", token)).toBe(false);
    for (const bad of [undefined, null, "", "x", token.slice(1), `${token}A`, "é".repeat(43)]) {
      expect(guard.verify("session-a", bad), String(bad)).toBe(false);
    }
  });

  it.each<[Record<string, string>, boolean]>([
    [{}, true],
    [{ origin: OWN }, true],
    [{ origin: OWN, "sec-fetch-site": "same-origin" }, true],
    [{ "sec-fetch-site": "none" }, true],
    [{ origin: "https://evil.example" }, false],
    [{ origin: "null" }, false],
    [{ origin: `${OWN}/` }, false],
    [{ "sec-fetch-site": "cross-site" }, false],
    [{ "sec-fetch-site": "same-site" }, false],
  ])("headers %j may post: %s", (headers, allowed) => {
    expect(!isCrossSite(new Headers(headers), OWN)).toBe(allowed);
  });
});

describe("consent links' scopes", () => {
  it("reads commas or spaces, merges duplicates and names what cannot be granted", () => {
    expect(parseAskedScopes("profile,data:read profile")).toEqual({
      asked: ["data:read", "profile"],
      refused: [],
    });
    expect(parseAskedScopes("data:read,admin,admin,<b>")).toEqual({
      asked: ["data:read"],
      refused: ["admin", "<b>"],
    });
    expect(parseAskedScopes(undefined)).toEqual({ asked: [], refused: [] });
  });
});

describe("teams token --link", () => {
  it("prints a link to the development sign-in page of the configured address", () => {
    expect(signInLink({ host: "127.0.0.1", port: 8000 }, "a.b.c")).toBe(
      "http://127.0.0.1:8000/dev/sign-in?token=a.b.c",
    );
    expect(signInLink({ host: "0.0.0.0", port: 80 }, "t")).toBe(
      "http://127.0.0.1:80/dev/sign-in?token=t",
    );
    expect(signInLink({ host: "::", port: 8000 }, "t")).toBe(
      "http://[::1]:8000/dev/sign-in?token=t",
    );
    expect(signInLink({ host: "::1", port: 8000 }, "t")).toBe(
      "http://[::1]:8000/dev/sign-in?token=t",
    );
  });

  it("is what the CLI prints with --link, in development mode only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teams-link-"));
    try {
      const env = { TEAMS_DATABASE: join(dir, "teams.db"), PORT: "8123" };
      const printed = await runCli(["token", "--sub", "carl", "--link"], env);
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout.trim()).toMatch(
        /^http:\/\/127\.0\.0\.1:8123\/dev\/sign-in\?token=[\w-]+\.[\w-]+\.[\w-]+$/,
      );
      const refused = await runCli(["token", "--sub", "carl", "--link"], {
        ...env,
        TEAMS_JWT_SECRET: "x".repeat(32),
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("development mode only");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
