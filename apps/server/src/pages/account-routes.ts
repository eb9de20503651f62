import { parseLines } from "@teams/core";
import { param } from "../http/params.js";
import { accountPage } from "./account-page.js";
import { ACCOUNT_PATH, type PageKit } from "./page-kit.js";
import { pageResponse, seeOther } from "./page-response.js";
import { sessionCookieHeader } from "./page-session.js";

/**
 * `GET /account/teams` lists the teams the person authorized; `POST /account/teams/{team_id}/revoke`
 * takes one back; `POST /account/sign-out` forgets the session cookie.
 */
export function accountRoutes(kit: PageKit): void {
  const { app, teams, csrf, headers, page } = kit;

  app.get(
    ACCOUNT_PATH,
    page(async (c) => {
      const session = await kit.person(c);
      await kit.mayConsent(session.principal);
      const consents = parseLines(
        (await teams.listAuthorizedTeams(session.principal, {}, { times: true })).lines,
      );
      // The outcome of the last post, named by team id: shown only when it is still true.
      const granted = c.req.query("granted");
      const revoked = c.req.query("revoked");
      let notice: string | undefined;
      const grantedTeam = granted ? consents.find((t) => t.id === granted) : undefined;
      if (grantedTeam) notice = `${grantedTeam.name} now has access to your data.`;
      if (revoked && !consents.some((t) => t.id === revoked)) {
        const team = await teams
          .getTeamForConsent(session.principal, revoked)
          .catch(() => undefined);
        if (team) notice = `${team.name} no longer has access to your data.`;
      }
      const csrfToken = csrf.tokenFor(session.token);
      return pageResponse(200, accountPage({ consents, csrfToken, notice }), headers);
    }),
  );

  app.post(
    `${ACCOUNT_PATH}/:team_id/revoke`,
    page(async (c) => {
      const { session } = await kit.formPost(c);
      const teamId = param(c, "team_id");
      await teams.withdrawConsent(session.principal, teamId);
      return seeOther(`${ACCOUNT_PATH}?revoked=${encodeURIComponent(teamId)}`);
    }),
  );

  // Any session may sign out, a delegated one included: it is how a person gets rid of it.
  app.post(
    "/account/sign-out",
    page(async (c) => {
      await kit.formPost(c, "anyone");
      return seeOther(ACCOUNT_PATH, { "set-cookie": sessionCookieHeader(c.req.url, "", 0) });
    }),
  );
}
