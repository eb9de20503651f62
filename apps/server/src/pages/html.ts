// HTML for people: a template tag that escapes every value it did not build itself, and the one
// page layout. Team owners write names, descriptions and links that end up here, so nothing is
// ever interpolated raw by accident: only `Html` values pass through unescaped.

/** Markup built by `html` (or `raw`), safe to insert as it is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup written by this server (never by a user); trusted as it is. */
export const raw = (markup: string): Html => new Html(markup);

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** A template whose values are escaped; arrays are joined; null, undefined and false are empty. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

/** An `http(s)` URL to put in `href`/`src`, or undefined: no `javascript:` even if one got stored. */
export function safeLink(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export const STYLESHEET_PATH = "/assets/teams.css";

/** Who a page is shown to, with what "Not you?" needs: it signs out and back in, to `here`. */
export interface SignedInAs {
  name: string;
  /** The session's CSRF token, for the sign-out form. */
  csrfToken: string;
  /** The page to come back to after signing in again (a path here, with its query). */
  here: string;
}

/** The header's "Signed in as ... Not you?": a form, since signing out is a post with a CSRF token. */
function signedInAs(who: SignedInAs): Html {
  return html`<div class="who"><span>Signed in as <strong>${who.name}</strong></span>
<form method="post" action="/auth/sign-out">
<input type="hidden" name="csrf_token" value="${who.csrfToken}">
<input type="hidden" name="next" value="${who.here}">
<button type="submit" class="link">Not you?</button>
</form></div>`;
}

/** The page around every body: one stylesheet of our own, no script at all. */
export function layout(page: {
  title: string;
  main: Html;
  signedIn?: boolean;
  /** Says who is signed in, with "Not you?". */
  who?: SignedInAs | undefined;
}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${page.title} · Teams</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header class="site">
<a class="brand" href="/account/teams">Teams</a>
${page.signedIn || page.who ? html`<nav aria-label="Account"><a href="/account/teams">Your teams</a></nav>` : ""}
${page.who ? signedInAs(page.who) : ""}
</header>
<main id="main">
${page.main}
</main>
</body>
</html>
`;
}
