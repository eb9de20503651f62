import type { GrantableScope, TeamDetails } from "@teams/core";
import { param } from "../http/params.js";
import {
  alreadyGrantedPage,
  type ConsentView,
  consentFields,
  consentPage,
} from "./consent-page.js";
import { html } from "./html.js";
import { problem } from "./page-errors.js";
import { ACCOUNT_PATH, isSecure, type PageKit } from "./page-kit.js";
import { pageResponse, seeOther } from "./page-response.js";
import { withOutcome } from "./return-to.js";
import { parseAskedScopes } from "./scope-words.js";

/** What a consent link asks, checked before anything is looked up (400 otherwise). */
function askedScopes(raw: string | null | undefined): GrantableScope[] {
  const { asked, refused } = parseAskedScopes(raw ?? undefined);
  if (refused.length > 0) {
    throw problem(
      400,
      "This link asks for too much",
      html`<p>A team can be given only these kinds of access: data:read, data:write and profile. This link also asks for: <code>${refused.join(", ")}</code>.</p>`,
    );
  }
  if (asked.length === 0) {
    throw problem(
      400,
      "This link does not say what it asks for",
      html`<p>Its <code>scopes</code> parameter should list what the team asks to do, e.g. <code>scopes=data:read,profile</code>.</p>`,
    );
  }
  return asked;
}

/**
 * `GET /teams/{team_id}/authorize?scopes=&return_to=` shows what a team asks; the form posts to the
 * same path. Allowing adds the ticked scopes to what the team already holds; declining changes
 * nothing. Either way the person goes back to an allowed `return_to` (with `consent=granted` or
 * `declined`), or to their teams page.
 */
export function consentRoutes(kit: PageKit): void {
  const { app, teams, csrf, headers, page } = kit;

  const view = (
    team: TeamDetails & { granted: GrantableScope[] | null },
    asked: GrantableScope[],
    session: string,
    returnTo: string | undefined,
  ): ConsentView => {
    const granted = team.granted ?? [];
    const asking = asked.filter((s) => !granted.includes(s));
    return {
      team,
      asked,
      asking,
      granted,
      ticked: asking,
      csrfToken: csrf.tokenFor(session),
      returnTo,
    };
  };

  app.get(
    "/teams/:team_id/authorize",
    page(async (c) => {
      const session = await kit.person(c);
      const asked = askedScopes(c.req.query("scopes"));
      await kit.mayConsent(session.principal);
      const team = await teams.getTeamForConsent(session.principal, param(c, "team_id"));
      const returnTo = kit.returnTo(c, c.req.query("return_to"));
      // "Not you?" comes back to this page, with what it asks and only an allowed return_to.
      const here = new URLSearchParams({ scopes: c.req.query("scopes") ?? "" });
      if (returnTo) here.set("return_to", returnTo);
      const who = await kit.signedInAs(session, `${new URL(c.req.url).pathname}?${here}`);
      const shown = { ...view(team, asked, session.token, returnTo), who };
      if (shown.asking.length === 0) {
        const continueTo = returnTo ? withOutcome(returnTo, "granted") : ACCOUNT_PATH;
        return pageResponse(
          200,
          alreadyGrantedPage({ team, granted: shown.granted, continueTo, who }),
          headers,
        );
      }
      return pageResponse(200, consentPage(shown), headers);
    }),
  );

  app.post(
    "/teams/:team_id/authorize",
    page(async (c) => {
      const { form, session } = await kit.formPost(c);
      const asked = askedScopes(form.get(consentFields.asked));
      const decision = form.get(consentFields.decision);
      const ticked = form.getAll(consentFields.scope);
      if (
        (decision !== "allow" && decision !== "decline") ||
        ticked.some((s) => !(asked as string[]).includes(s))
      ) {
        throw problem(
          400,
          "This form could not be read",
          html`<p>Go back, reload the page and try again.</p>`,
        );
      }
      const teamId = param(c, "team_id");
      const team = await teams.getTeamForConsent(session.principal, teamId);
      const returnTo = kit.returnTo(c, form.get(consentFields.returnTo));
      if (decision === "decline") {
        return seeOther(returnTo ? withOutcome(returnTo, "declined") : ACCOUNT_PATH);
      }
      const keep = asked.filter((s) => ticked.includes(s));
      if (keep.length === 0) {
        const error = "Tick at least one thing to share, or choose Decline.";
        const who = await kit.signedInAs(session, ACCOUNT_PATH);
        const shown = { ...view(team, asked, session.token, returnTo), ticked: [], error, who };
        return pageResponse(422, consentPage(shown), headers);
      }
      // What the team holds when the consent is written stays: this page only adds what was asked
      // and kept ticked (never what it held when the page was shown, which may be revoked since).
      await teams.consentToTeam(
        session.principal,
        teamId,
        { scopes: keep },
        { add: true, via: "browser" },
      );
      if (returnTo) return seeOther(withOutcome(returnTo, "granted"));
      const outcome = { kind: "granted", teamId } as const;
      return seeOther(ACCOUNT_PATH, {
        "set-cookie": kit.notices.set(session.token, outcome, isSecure(c)),
      });
    }),
  );
}
