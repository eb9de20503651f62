import { describe, expect, it } from "vitest";
import { displayName } from "./display-name.js";

describe("displayName", () => {
  const cases: [first: string | null, last: string | null, shown: string][] = [
    ["Ann", "Lee", "Ann Lee"],
    ["Ann", null, "Ann"],
    [null, "Lee", "Lee"],
    [null, null, "u1"],
    ["", "", "u1"],
    ["  ", " ", "u1"],
    [" Ann ", " Lee ", "Ann   Lee"],
    ["Ann", "", "Ann"],
    ["", "Lee", "Lee"],
    ["\tAnn", null, "\tAnn"],
    ["Émile", "Strauß", "Émile Strauß"],
  ];
  it.each(cases)("first %j, last %j → %j", (first, last, shown) => {
    expect(displayName({ id: "u1", first_name: first, last_name: last })).toBe(shown);
  });
});
