import { parseLines } from "../list-lines.js";
import type { LinesPage, Page } from "../pagination.js";
import type { Principal } from "../principal.js";
import type { Teams } from "../teams.js";

type P = Principal | null | undefined;

const valuesOf = <T>(page: LinesPage<T>): Page<T> => ({
  items: parseLines(page.lines),
  next_cursor: page.next_cursor,
});

/**
 * The core's use cases with each list read as values, as an embedder reads them (`parseLines`,
 * `page.items`): the suites assert what a caller of the lists sees. Each is the one use case of
 * its list, with and without `limit`.
 */
export function withListValues(teams: Teams) {
  return {
    ...teams,
    /** The use cases as they are. */
    core: teams,
    listTeams: async (p: P) => (await teams.listTeams(p)).items,
    listAuthorizedTeams: async (p: P) => parseLines((await teams.listAuthorizedTeams(p)).lines),
    listAuthorizedTeamsPage: async (p: P, query?: Parameters<Teams["listAuthorizedTeams"]>[1]) =>
      valuesOf(await teams.listAuthorizedTeams(p, query)),
    listConsents: async (p: P) =>
      parseLines((await teams.listAuthorizedTeams(p, {}, { times: true })).lines),
    listTeamUsers: async (p: P, teamId: string, query?: Parameters<Teams["listTeamUsers"]>[2]) =>
      parseLines((await teams.listTeamUsers(p, teamId, query)).lines),
    listTeamUsersPage: async (
      p: P,
      teamId: string,
      query?: Parameters<Teams["listTeamUsers"]>[2],
    ) => valuesOf(await teams.listTeamUsers(p, teamId, query)),
    listMembers: async (p: P, teamId: string) => (await teams.listMembers(p, teamId)).items,
  };
}

export type TeamsWithListValues = ReturnType<typeof withListValues>;
