import type { GrantableScope, TeamDetails } from "@teams/core";
import { type Html, html, layout, type SignedInAs } from "./html.js";
import { scopeWords } from "./scope-words.js";
import { teamSummary } from "./team-summary.js";

/** The fields the consent form posts (see `pages-routes.ts`). */
export const consentFields = {
  csrf: "csrf_token",
  scope: "scope",
  asked: "asked",
  returnTo: "return_to",
  decision: "decision",
} as const;

export interface ConsentView {
  team: TeamDetails;
  /** The scopes the link asks for that the person has not granted yet: one checkbox each. */
  asking: readonly GrantableScope[];
  /** Every scope the link asks for, posted back so the page can be shown again. */
  asked: readonly GrantableScope[];
  /** The scopes the team already holds; they are kept. */
  granted: readonly GrantableScope[];
  /** Ticked boxes; all of `asking` at first. */
  ticked: readonly GrantableScope[];
  csrfToken: string;
  /** An allowed address to go back to after deciding, if the link gave one. */
  returnTo: string | undefined;
  /** Why the last post was not accepted, shown above the form. */
  error?: string;
  /** Who is signed in, said in the header. */
  who?: SignedInAs;
}

const scopeList = (scopes: readonly GrantableScope[]) =>
  html`<ul class="scopes">${scopes.map((s) => html`<li><strong>${scopeWords[s].title}</strong> <span>${scopeWords[s].detail}</span></li>`)}</ul>`;

/** The person sees who asks, for what in plain words, and allows (with what they kept ticked) or declines. */
export function consentPage(view: ConsentView): Html {
  const { team } = view;
  const destination =
    view.returnTo && !view.returnTo.startsWith("/") ? new URL(view.returnTo).host : undefined;
  return layout({
    title: `Share your data with ${team.name}?`,
    signedIn: true,
    who: view.who,
    main: html`<section class="card consent" aria-labelledby="consent-title">
${teamSummary(team, html`<h1 id="consent-title">Share your data with ${team.name}?</h1>`)}
${view.error ? html`<p class="notice error" role="alert">${view.error}</p>` : ""}
<form method="post" action="/teams/${encodeURIComponent(team.id)}/authorize">
<input type="hidden" name="${consentFields.csrf}" value="${view.csrfToken}">
<input type="hidden" name="${consentFields.asked}" value="${view.asked.join(",")}">
${view.returnTo ? html`<input type="hidden" name="${consentFields.returnTo}" value="${view.returnTo}">` : ""}
<fieldset>
<legend>${team.name} asks to:</legend>
<p class="hint">Untick anything you do not want to share.</p>
${view.asking.map(
  (s) => html`<label class="scope">
<input type="checkbox" name="${consentFields.scope}" value="${s}"${view.ticked.includes(s) ? html` checked` : ""}>
<span><strong>${scopeWords[s].title}</strong> <span class="detail">${scopeWords[s].detail}</span></span>
</label>`,
)}
</fieldset>
${view.granted.length > 0 ? html`<div class="already"><p>${team.name} can already:</p>${scopeList(view.granted)}<p class="hint">That stays as it is.</p></div>` : ""}
<p class="hint">You can take this back at any time on <a href="/account/teams">your teams</a> page.${destination ? html` After you choose, you go back to <strong>${destination}</strong>.` : ""}</p>
<div class="actions">
<button type="submit" class="primary" name="${consentFields.decision}" value="allow">Allow</button>
<button type="submit" class="secondary" name="${consentFields.decision}" value="decline">Decline</button>
</div>
</form>
</section>`,
  });
}

/** Asked again for what it already holds: say so, and let the person go on. */
export function alreadyGrantedPage(view: {
  team: TeamDetails;
  granted: readonly GrantableScope[];
  continueTo: string;
  who?: SignedInAs;
}): Html {
  const { team } = view;
  return layout({
    title: `${team.name} already has access`,
    signedIn: true,
    who: view.who,
    main: html`<section class="card consent" aria-labelledby="consent-title">
${teamSummary(team, html`<h1 id="consent-title">${team.name} already has access</h1>`)}
<p>You already share everything ${team.name} asks for. It can:</p>
${scopeList(view.granted)}
<p class="hint">To change this, revoke it on <a href="/account/teams">your teams</a> page.</p>
<div class="actions"><a class="button primary" href="${view.continueTo}">Continue</a></div>
</section>`,
  });
}
