import { delegated, principal } from "@teams/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, harness, token } from "./harness.js";

// A list past 2,000 lines is sent a part of 1,000 lines at a time, each line written into its
// part's buffer as UTF-8 (page-links.ts): the body must be the same JSON array, with the length
// announced beforehand, whatever the names hold (two-byte text, characters beyond U+FFFF).

const USERS = 2_345;
const names = ["Zoë", "李", "Åsa 😀", "plain", 'Ωmega \\ "quoted"'];

let h: Harness;
beforeAll(async () => {
  h = await harness();
  const admin = principal("platform", { scopes: ["admin"] });
  for (let n = 0; n < USERS; n++) {
    const id = `long-${String(n).padStart(5, "0")}`;
    await h.teams.adminPutUser(admin, id, {
      first_name: names[n % names.length] as string,
      last_name: `N${n}`,
      manager_id: "coach",
    });
    await h.teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
  }
}, 120_000);
afterAll(() => h.close());

describe("a long list's answer", () => {
  it("is the whole list as one JSON array, its length announced", async () => {
    const res = await h.request("/api/v1/teams/club/users", {
      headers: { authorization: `Bearer ${await token({ sub: "coach" })}` },
    });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    const body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    const { lines } = await h.teams.listTeamUsers(principal("coach"), "club");
    expect(body).toEqual(lines.map((line) => JSON.parse(line)));
    expect(body.length).toBeGreaterThanOrEqual(USERS);
    const withEmoji = Array.from({ length: USERS }, (_, n) => n % names.length === 2);
    expect(
      body.filter((u: { display_name: string }) => u.display_name.includes("😀")),
    ).toHaveLength(withEmoji.filter(Boolean).length);
  });
});
