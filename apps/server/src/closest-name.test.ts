import { describe, expect, it } from "vitest";
import { closestName, editDistance } from "./closest-name.js";

const known = ["TEAMS_DATABASE", "TEAMS_DATA_DIR", "TEAMS_LOG", "TEAMS_JWT_SECRET", "PORT"];

describe("closestName: what a misspelt variable meant", () => {
  it.each([
    ["TEAMS_DATABSE", "TEAMS_DATABASE"],
    ["TEAMS_DATABASES", "TEAMS_DATABASE"],
    ["TEAMS_DATADIR", "TEAMS_DATA_DIR"],
    ["TEAMS_LOGS", "TEAMS_LOG"],
    ["TEAMS_JWT_SECRT", "TEAMS_JWT_SECRET"],
    ["TEAMS_SOMETHING_ELSE", undefined],
    ["TEAMS_X", undefined],
  ])("%s -> %s", (name, meant) => {
    expect(closestName(name, known)).toBe(meant);
  });

  it.each([
    ["", "", 0],
    ["abc", "abc", 0],
    ["abc", "abd", 1],
    ["abc", "ab", 1],
    ["ab", "ba", 2],
    ["kitten", "sitting", 3],
  ])("editDistance(%j, %j) = %d", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
