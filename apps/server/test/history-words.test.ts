import type { ConsentRecord } from "@teams/core";
import { describe, expect, it } from "vitest";
import { historyWords } from "../src/pages/history-words.js";

const base: ConsentRecord = {
  id: 1,
  type: "authorization.granted",
  occurred_at: "2026-01-01T00:00:00.000Z",
  team_id: "club",
  user_id: "carl",
  scopes: ["profile"],
  previous_scopes: null,
  actor: { user_id: "carl", authorized_party: null, via: "browser" },
  cause: "user",
};
const by = (via: ConsentRecord["actor"]["via"]) => ({ ...base.actor, via });

describe("historyWords: a consent record as the account page says it", () => {
  it.each<[string, Partial<ConsentRecord>, string]>([
    ["a grant in the browser", {}, "You allowed: See your profile."],
    [
      "a grant the service wrote",
      { actor: by("service"), scopes: ["data:read", "profile"] },
      "The service, for you, allowed: See your training data, See your profile.",
    ],
    [
      "a change that adds and takes back",
      {
        type: "authorization.updated",
        previous_scopes: ["data:read", "profile"],
        scopes: ["data:read", "data:write"],
      },
      "You allowed: Add and change your training data; took back: See your profile.",
    ],
    [
      "a change by a manager's token",
      {
        type: "authorization.updated",
        previous_scopes: ["profile"],
        scopes: ["data:read", "profile"],
        actor: by("manager_token"),
      },
      "Your manager allowed: See your training data.",
    ],
    [
      "a withdrawal",
      { type: "authorization.revoked", previous_scopes: ["profile"], scopes: null },
      "You took back all access.",
    ],
    [
      "the team deleted by its owner",
      {
        type: "authorization.revoked",
        previous_scopes: ["profile"],
        scopes: null,
        actor: by("owner"),
        cause: "team_deleted",
      },
      "Access ended: the team's owner deleted the team.",
    ],
    [
      "the team deleted by an administrator",
      {
        type: "authorization.revoked",
        previous_scopes: ["profile"],
        scopes: null,
        actor: by("admin"),
        cause: "team_deleted",
      },
      "Access ended: an administrator deleted the team.",
    ],
  ])("%s", (_, change, words) => {
    expect(historyWords({ ...base, ...change })).toBe(words);
  });
});
