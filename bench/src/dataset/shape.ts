// The shape of a generated data set: who exists, who authorized what, who reads. The generator writes
// it and the scenarios read it, so both derive every id from these functions.

export interface Scale {
  name: "large" | "small";
  users: number;
  teams: number;
}

/** 100,000 users, 10,000 teams, 1,000,000 authorizations. */
export const LARGE: Scale = { name: "large", users: 100_000, teams: 10_000 };
/** 1,000 times smaller: 100 users, 10 teams, 950 authorizations. */
export const SMALL: Scale = { name: "small", users: 100, teams: 10 };

/** Teams each user authorizes (fewer when the data set has fewer teams). */
export const TEAMS_PER_USER = 10;
/** The team every user authorizes. */
export const BIG_TEAM = "team-0";
/** The team the first 50 users authorize. */
export const FIFTY_TEAM = "team-1";
export const FIFTY = 50;

/** Users 0 .. managers-1 are regular users; every other user is managed by one of them. */
export const managerCount = (scale: Scale) => Math.max(1, Math.ceil(scale.users / 1000));

export const userId = (n: number) => `user-${String(n).padStart(6, "0")}`;
export const teamId = (n: number) => `team-${n}`;
export const managerOf = (scale: Scale, n: number): number | null =>
  n < managerCount(scale) ? null : n % managerCount(scale);

/** The member who reads the big team's and the fifty team's users: manager 0, their owner. */
export const READER = 0;

/** The teams user `n` authorized: the big team, the fifty team for the first 50, then others. */
export function teamsAuthorizedBy(scale: Scale, n: number): number[] {
  const teams = [0];
  if (n < FIFTY) teams.push(1);
  const others = scale.teams - 2;
  const start = (n * 7919) % others;
  for (let k = 0; teams.length < TEAMS_PER_USER && k < others; k++) {
    teams.push(2 + ((start + k) % others));
  }
  return teams;
}

/** A small deterministic generator (mulberry32), so every run builds the same data set. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "Ada",
  "Ben",
  "Cleo",
  "Dara",
  "Emil",
  "Fay",
  "Gus",
  "Hana",
  "Ivo",
  "Jade",
  "Kai",
  "Lena",
  "Milo",
  "Nia",
  "Otto",
  "Pia",
  "Quin",
  "Rosa",
  "Sven",
  "Tara",
  "Uma",
  "Vik",
  "Wren",
  "Xena",
  "Yara",
  "Zeno",
  "Émile",
  "Ørjan",
  "Åsa",
  "Łucja",
];
const LAST = [
  "Abbott",
  "Brandt",
  "Castro",
  "Dubois",
  "Eriksen",
  "Fischer",
  "García",
  "Hansen",
  "Ivanova",
  "Jansen",
  "Kowalski",
  "Larsen",
  "Müller",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Quist",
  "Rossi",
  "Silva",
  "Tanaka",
  "Ulrich",
  "Vargas",
  "Weber",
  "Xu",
  "Yilmaz",
  "Zhang",
];

/** A person's names: lists ordered by display name are then not in id order. */
export function personName(next: () => number): { first: string; last: string } {
  const pick = (list: readonly string[]) => list[Math.floor(next() * list.length)] as string;
  return { first: pick(FIRST), last: `${pick(LAST)}${Math.floor(next() * 100)}` };
}

export function teamName(next: () => number, n: number): string {
  const words = ["Club", "Squad", "Lab", "Crew", "Team", "Guild", "Studio", "Works"];
  const word = words[Math.floor(next() * words.length)] as string;
  return `${word} ${Math.floor(next() * 1_000_000)} (${n})`;
}
