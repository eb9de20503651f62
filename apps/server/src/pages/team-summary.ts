import type { TeamDetails } from "@teams/core";
import { type Html, html, safeLink } from "./html.js";

/**
 * Who a team is, as its owner described it: logo, name, description, website and privacy statement.
 * Every piece is the owner's text, escaped by `html`; links are used only when they are http(s).
 */
export function teamSummary(team: TeamDetails, heading: Html): Html {
  const image = safeLink(team.image);
  const site = safeLink(team.url);
  const privacy = safeLink(team.privacy_statement);
  return html`<div class="team">
${image ? html`<img class="team-logo" src="${image}" alt="" width="64" height="64" referrerpolicy="no-referrer">` : ""}
<div class="team-text">
${heading}
${team.description ? html`<p class="team-description">${team.description}</p>` : ""}
<ul class="team-links">
${site ? html`<li><a href="${site}" rel="noopener noreferrer" target="_blank">${new URL(site).host}<span class="visually-hidden"> (website of ${team.name}, opens in a new tab)</span></a></li>` : ""}
${privacy ? html`<li><a href="${privacy}" rel="noopener noreferrer" target="_blank">Privacy statement<span class="visually-hidden"> of ${team.name} (opens in a new tab)</span></a></li>` : ""}
</ul>
</div>
</div>`;
}
