import type { ConsentRecord } from "@teams/core";
import { scopeTitle } from "./scope-words.js";

// A consent record as the person it concerns reads it on the account page: what changed, who did
// it, in plain words (no scope names, no ids).

const list = (scopes: readonly string[]) => scopes.map(scopeTitle).join(", ");

/** Who made the change, as the subject of a sentence. */
function who(record: ConsentRecord): string {
  switch (record.actor.via) {
    case "browser":
      return "You";
    case "manager_token":
    case "team_token":
      return "Your manager";
    case "owner":
      return "The team's owner";
    case "admin":
      return "An administrator";
    case "service":
      return "The service, for you,";
  }
}

/** One record in plain words, e.g. "You allowed: See your profile." */
export function historyWords(record: ConsentRecord): string {
  const after = record.scopes ?? [];
  const before = record.previous_scopes ?? [];
  if (record.type === "authorization.granted") return `${who(record)} allowed: ${list(after)}.`;
  if (record.type === "authorization.revoked") {
    if (record.cause === "team_deleted") {
      return `Access ended: ${who(record).toLowerCase()} deleted the team.`;
    }
    if (record.cause === "user_deleted") return "Access ended: the account was deleted.";
    return `${who(record)} took back all access.`;
  }
  const added = after.filter((s) => !before.includes(s));
  const removed = before.filter((s) => !after.includes(s));
  const parts = [
    ...(added.length > 0 ? [`allowed: ${list(added)}`] : []),
    ...(removed.length > 0 ? [`took back: ${list(removed)}`] : []),
  ];
  return `${who(record)} ${parts.join("; ")}.`;
}
