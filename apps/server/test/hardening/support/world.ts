import { GRANTABLE_SCOPES, type GrantableScope } from "@teams/core";
import fc from "fast-check";
import type { ModelTeam, Op, Role, Token } from "./model.js";

// Generated worlds: users, managed users, teams, memberships and a history of authorizations,
// revocations and deletions. Ids and names are drawn from small pools chosen to be awkward: case
// twins, characters that need URL encoding, text whose UTF-8 and UTF-16 orders differ, LIKE's
// wildcards, ties in display names.

export const REGULAR_IDS = ["ann", "Ann", "b\u00f6b", "carl", "a/b", "q?x#y", "a+b", "\u{1f600}"];
export const MANAGED_IDS = ["m1", "m-2", "m%3", "m 4", "\u00fc5", "M6", "m_7", "\uff4d8"];
export const TEAM_IDS = ["club", "Club", "t/1", "t%2", "t\u00e9", "\u{1f600}team", "t 5"];

const NAMES = [
  null,
  "",
  " ",
  "Ann",
  "ann",
  "ANN",
  "Ann ",
  "\u00c9mile",
  "\u00e9mile",
  "Zo\u00eb",
  "\u{1f600}",
  "\uff21b",
  "Ab%_c",
  "x\\y",
  "Bo",
  "Strau\u00df",
];
const TEAM_NAMES = [
  "Club",
  "club",
  " Alpha ",
  "alpha",
  "\uff21lpha",
  "\u03a9mega",
  "\u{1f600} Team",
  "\u{1f600}",
  "Beta_%",
];

export const scopeSet = fc
  .subarray([...GRANTABLE_SCOPES], { minLength: 1 })
  .map((s) => s as GrantableScope[]);

/** A team body as the admin API takes it; links derived from the id so they are valid URLs. */
export function teamOf(id: string, name: string, description = ""): ModelTeam {
  const host = `t${Buffer.from(id).toString("hex")}.example`;
  return {
    id,
    name,
    description,
    url: `https://${host}/`,
    image: `https://${host}/logo.png`,
    privacy_statement: `https://${host}/privacy`,
  };
}

export interface WorldSpec {
  regulars: { id: string; first: string | null; last: string | null }[];
  managed: { id: string; first: string | null; last: string | null; manager: number }[];
  teams: { id: string; name: string; description: string }[];
  members: { team: number; user: number; role: Role }[];
  history: HistoryStep[];
}

/** One write of the history, by index into the world's lists (resolved in `worldOps`). */
export type HistoryStep =
  | { kind: "grant"; user: number; team: number; scopes: GrantableScope[]; token: TokenChoice }
  | { kind: "ungrant"; user: number; team: number; token: TokenChoice }
  | { kind: "deleteTeam"; team: number }
  | { kind: "deleteUser"; user: number }
  | { kind: "putMember"; team: number; user: number; role: Role }
  | { kind: "deleteMember"; team: number; user: number }
  | { kind: "reput"; user: number };

/** Whose delegation a token carries: the right manager mostly, sometimes a wrong one or none. */
export type TokenChoice = {
  azp: "manager" | "other" | "self" | "none";
  scopes: GrantableScope[];
};

const person = (ids: string[]) =>
  fc.uniqueArray(
    fc.record({
      id: fc.constantFrom(...ids),
      first: fc.constantFrom(...NAMES),
      last: fc.constantFrom(...NAMES),
    }),
    { selector: (u) => u.id, minLength: 1, maxLength: 5 },
  );

const tokenChoice: fc.Arbitrary<TokenChoice> = fc.record({
  azp: fc.constantFrom("manager", "manager", "manager", "other", "self", "none"),
  scopes: fc.oneof(
    { weight: 4, arbitrary: fc.constant([...GRANTABLE_SCOPES] as GrantableScope[]) },
    { weight: 1, arbitrary: scopeSet },
  ),
});

export const worldSpec: fc.Arbitrary<WorldSpec> = fc
  .record({
    regulars: person(REGULAR_IDS),
    managed: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...MANAGED_IDS),
        first: fc.constantFrom(...NAMES),
        last: fc.constantFrom(...NAMES),
        manager: fc.nat(),
      }),
      { selector: (u) => u.id, maxLength: 5 },
    ),
    teams: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...TEAM_IDS),
        name: fc.constantFrom(...TEAM_NAMES),
        description: fc.constantFrom("", "A team", "\u00e9quipe"),
      }),
      { selector: (t) => t.id, minLength: 1, maxLength: 4 },
    ),
  })
  .chain((base) => {
    const users = base.regulars.length + base.managed.length;
    const team = fc.nat({ max: base.teams.length - 1 });
    const user = fc.nat({ max: users - 1 });
    const managedIndex = base.managed.length > 0 ? fc.nat({ max: base.managed.length - 1 }) : null;
    const step: fc.Arbitrary<HistoryStep>[] = [
      fc.record({
        kind: fc.constant("putMember" as const),
        team,
        user,
        role: fc.constantFrom<Role>("owner", "member"),
      }),
      fc.record({ kind: fc.constant("deleteMember" as const), team, user }),
      fc.record({ kind: fc.constant("deleteTeam" as const), team }),
      fc.record({ kind: fc.constant("deleteUser" as const), user }),
      fc.record({ kind: fc.constant("reput" as const), user }),
      // Regular users' own consents: user indexes below the regulars' count.
      fc.record({
        kind: fc.constant("grant" as const),
        user: fc.nat({ max: base.regulars.length - 1 }),
        team,
        scopes: scopeSet,
        token: fc.constant<TokenChoice>({ azp: "none", scopes: [...GRANTABLE_SCOPES] }),
      }),
    ];
    if (managedIndex) {
      const managedUser = managedIndex.map((i) => base.regulars.length + i);
      step.push(
        fc.record({
          kind: fc.constant("grant" as const),
          user: managedUser,
          team,
          scopes: scopeSet,
          token: tokenChoice,
        }),
        fc.record({
          kind: fc.constant("grant" as const),
          user: managedUser,
          team,
          scopes: scopeSet,
          token: tokenChoice,
        }),
        fc.record({
          kind: fc.constant("ungrant" as const),
          user: managedUser,
          team,
          token: tokenChoice,
        }),
      );
    }
    return fc.record({
      regulars: fc.constant(base.regulars),
      managed: fc.constant(base.managed),
      teams: fc.constant(base.teams),
      members: fc.array(
        fc.record({ team, user, role: fc.constantFrom<Role>("owner", "owner", "member") }),
        { maxLength: 8 },
      ),
      history: fc.array(fc.oneof(...step), { maxLength: 24 }),
    });
  });

/** Every user id of a world, regulars first (the indexes `HistoryStep` uses). */
export const userIds = (w: WorldSpec) => [
  ...w.regulars.map((u) => u.id),
  ...w.managed.map((u) => u.id),
];

/** The writes that build the world, in order, through the core's own use cases. */
export function worldOps(w: WorldSpec): Op[] {
  const ops: Op[] = [];
  const ids = userIds(w);
  const managerOf = (i: number) => {
    const m = w.managed[i - w.regulars.length];
    return m ? (w.regulars[m.manager % w.regulars.length]?.id ?? null) : null;
  };
  for (const u of w.regulars)
    ops.push({ kind: "putUser", id: u.id, first: u.first, last: u.last, manager: null });
  w.managed.forEach((u, i) => {
    ops.push({
      kind: "putUser",
      id: u.id,
      first: u.first,
      last: u.last,
      manager: managerOf(w.regulars.length + i),
    });
  });
  for (const t of w.teams) ops.push({ kind: "putTeam", team: teamOf(t.id, t.name, t.description) });
  const teamId = (i: number) => w.teams[i]?.id ?? "";
  const userId = (i: number) => ids[i] ?? "";
  for (const m of w.members)
    ops.push({ kind: "putMember", team: teamId(m.team), user: userId(m.user), role: m.role });
  const token = (user: number, choice: TokenChoice): Token => {
    const sub = userId(user);
    const manager = managerOf(user);
    const other = w.regulars.find((r) => r.id !== manager)?.id ?? "stranger";
    const azp = { manager, other, self: sub, none: null }[choice.azp];
    return { sub, azp, scopes: choice.scopes };
  };
  for (const step of w.history) {
    switch (step.kind) {
      case "grant":
        ops.push(
          step.user < w.regulars.length
            ? {
                kind: "consent",
                user: userId(step.user),
                team: teamId(step.team),
                scopes: step.scopes,
              }
            : {
                kind: "authorize",
                token: token(step.user, step.token),
                team: teamId(step.team),
                scopes: step.scopes,
              },
        );
        break;
      case "ungrant":
        ops.push({ kind: "revoke", token: token(step.user, step.token), team: teamId(step.team) });
        break;
      case "deleteTeam":
        ops.push({ kind: "deleteTeam", team: teamId(step.team) });
        break;
      case "deleteUser":
        ops.push({ kind: "deleteUser", user: userId(step.user) });
        break;
      case "putMember":
        ops.push({
          kind: "putMember",
          team: teamId(step.team),
          user: userId(step.user),
          role: step.role,
        });
        break;
      case "deleteMember":
        ops.push({ kind: "deleteMember", team: teamId(step.team), user: userId(step.user) });
        break;
      case "reput": {
        // A deleted user coming back (same id): nothing it had may come back with it.
        const spec =
          step.user < w.regulars.length
            ? w.regulars[step.user]
            : w.managed[step.user - w.regulars.length];
        if (spec) {
          ops.push({
            kind: "putUser",
            id: spec.id,
            first: spec.first,
            last: spec.last,
            manager: managerOf(step.user),
          });
        }
        break;
      }
    }
  }
  return ops;
}
