import type { ConsentRecord, ConsentResponse } from "@teams/core";
import { historyWords } from "./history-words.js";
import { type Html, html, layout, type SignedInAs } from "./html.js";
import { scopeTitle } from "./scope-words.js";
import { teamSummary } from "./team-summary.js";

export type Consent = ConsentResponse;

const when = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "long",
  timeStyle: "short",
  timeZone: "UTC",
});

/** An ISO instant as people read it, in a `<time>` machines can read too. */
function time(iso: string): Html {
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime()) ? iso : `${when.format(date)} UTC`;
  return html`<time datetime="${iso}">${text}</time>`;
}

/** A team's consent history, newest first, each change in plain words with its time. */
function historyList(records: readonly ConsentRecord[] | undefined): Html | string {
  if (!records || records.length === 0) return "";
  const items = [...records]
    .reverse()
    .map((r) => html`<li>${time(r.occurred_at)}: ${historyWords(r)}</li>`);
  return html`<details class="history"><summary>History</summary><ul>${items}</ul></details>`;
}

/**
 * The person's authorized teams: what each may do, since when, what changed, and a button to
 * revoke it; then the teams it no longer shares with, and what happened.
 */
export function accountPage(view: {
  consents: readonly Consent[];
  /** The person's consent records by team id, in log order. */
  history?: ReadonlyMap<string, readonly ConsentRecord[]>;
  /** Teams with records but no access now: their names (when they still exist) and records. */
  past?: readonly { name: string; records: readonly ConsentRecord[] }[];
  csrfToken: string;
  /** What the person just did (from their post, never the address), e.g. "Club no longer has access to your data." */
  notice?: string | undefined;
  /** Who is signed in, said in the header. */
  who?: SignedInAs;
}): Html {
  const items = view.consents.map(
    (consent) => html`<li class="card">
${teamSummary(consent, html`<h2>${consent.name}</h2>`)}
<dl class="grant">
<dt>Access</dt>
<dd><ul class="scopes">${consent.scopes.map((s) => html`<li>${scopeTitle(s)}</li>`)}</ul></dd>
<dt>Granted</dt>
<dd>${time(consent.granted_at)}${consent.updated_at !== consent.granted_at ? html`<br><span class="hint">changed ${time(consent.updated_at)}</span>` : ""}</dd>
</dl>
${historyList(view.history?.get(consent.id))}
<form method="post" action="/account/teams/${encodeURIComponent(consent.id)}/revoke">
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
<button type="submit" class="danger">Revoke access<span class="visually-hidden"> for ${consent.name}</span></button>
</form>
</li>`,
  );
  return layout({
    title: "Your teams",
    signedIn: true,
    who: view.who,
    main: html`<h1>Teams you share your data with</h1>
${view.notice ? html`<p class="notice success" role="status">${view.notice}</p>` : ""}
${
  items.length > 0
    ? html`<ul class="consents">${items}</ul>`
    : html`<p class="card empty">You do not share your data with any team. A team that wants access sends you a link to a page where you decide.</p>`
}
${
  view.past && view.past.length > 0
    ? html`<h2>Teams you no longer share with</h2>
<ul class="consents">${view.past.map((team) => html`<li class="card"><h3>${team.name}</h3>${historyList(team.records)}</li>`)}</ul>`
    : ""
}
<form class="sign-out" method="post" action="/auth/sign-out">
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
<button type="submit" class="link">Sign out</button>
</form>`,
  });
}
