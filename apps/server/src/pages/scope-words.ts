import { GRANTABLE_SCOPES, type GrantableScope } from "@teams/core";

/** What each grantable scope lets a team do, in the words a person reads before agreeing. */
export const scopeWords: Record<GrantableScope, { title: string; detail: string }> = {
  "data:read": {
    title: "See your training data",
    detail: "Your activities, workouts and measurements, past and future.",
  },
  "data:write": {
    title: "Add and change your training data",
    detail: "Create activities and edit or delete the ones you have.",
  },
  profile: {
    title: "See your profile",
    detail: "Your name and the basic details of your account.",
  },
};

/** A scope's plain words; a word that is not grantable (never stored) is shown as it is. */
export function scopeTitle(scope: string): string {
  return scope in scopeWords ? scopeWords[scope as GrantableScope].title : scope;
}

/**
 * The scopes a consent link asks for (`scopes=data:read,profile`, commas or spaces), canonical and
 * without duplicates; `refused` lists the words that are not scopes a team may be granted.
 */
export function parseAskedScopes(raw: string | undefined): {
  asked: GrantableScope[];
  refused: string[];
} {
  const words = (raw ?? "").split(/[\s,]+/).filter((w) => w !== "");
  const refused = words.filter((w) => !(GRANTABLE_SCOPES as readonly string[]).includes(w));
  const asked = GRANTABLE_SCOPES.filter((s) => words.includes(s));
  return { asked, refused: [...new Set(refused)] };
}
