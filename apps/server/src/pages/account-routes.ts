import { type ConsentRecord, NotFound, parseLines } from "@teams/core";
import { param } from "../http/params.js";
import { accountPage } from "./account-page.js";
import { ACCOUNT_PATH, isSecure, type PageKit } from "./page-kit.js";
import { pageResponse, seeOther } from "./page-response.js";

/**
 * `GET /account/teams` lists the teams the person authorized; `POST /account/teams/{team_id}/revoke`
 * takes one back.
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
      // What the person just did, from the signed one-time cookie their post left (never from the
      // address, which anyone can write), and shown only while it is still true.
      const cookies = c.req.header("cookie");
      const outcome = kit.notices.read(session.token, cookies);
      let notice: string | undefined;
      if (outcome?.kind === "granted") {
        const team = consents.find((t) => t.id === outcome.teamId);
        if (team) notice = `${team.name} now has access to your data.`;
      }
      if (outcome?.kind === "revoked" && !consents.some((t) => t.id === outcome.teamId)) {
        const team = await teams
          .getTeamForConsent(session.principal, outcome.teamId)
          .catch(() => undefined);
        if (team) notice = `${team.name} no longer has access to your data.`;
      }
      const once = kit.notices.present(cookies)
        ? { "set-cookie": kit.notices.clear(isSecure(c)) }
        : undefined;
      // The person's history by team; a team it no longer shares with is named if it still exists.
      const history = new Map<string, ConsentRecord[]>();
      for (const record of (await teams.listAuthorizationHistory(session.principal)).items) {
        const records = history.get(record.team_id) ?? [];
        records.push(record);
        history.set(record.team_id, records);
      }
      const past = [];
      for (const [teamId, records] of history) {
        if (consents.some((t) => t.id === teamId)) continue;
        const team = await teams.getTeamForConsent(session.principal, teamId).catch((e) => {
          if (e instanceof NotFound) return undefined;
          throw e;
        });
        past.push({ name: team?.name ?? "A team that no longer exists", records });
      }
      const csrfToken = csrf.tokenFor(session.token);
      const who = await kit.signedInAs(session, ACCOUNT_PATH);
      const view = { consents, history, past, csrfToken, notice, who };
      return pageResponse(200, accountPage(view), headers, once);
    }),
  );

  app.post(
    `${ACCOUNT_PATH}/:team_id/revoke`,
    page(async (c) => {
      const { session } = await kit.formPost(c);
      const teamId = param(c, "team_id");
      await teams.withdrawConsent(session.principal, teamId, { via: "browser" });
      const outcome = { kind: "revoked", teamId } as const;
      return seeOther(ACCOUNT_PATH, {
        "set-cookie": kit.notices.set(session.token, outcome, isSecure(c)),
      });
    }),
  );
}
