import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openTrainingLog, type TrainingLog } from "./training-log.js";

let dir: string;
let log: TrainingLog;
let base: string;
const platform = { userId: "platform", authorizedParty: null, scopes: ["admin"] };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "teams-embed-"));
  log = await openTrainingLog(join(dir, "service.db"));
  await new Promise<void>((resolve) => log.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(log.server.address() as AddressInfo).port}`;
  const { teams } = log;
  await teams.adminPutUser(platform, "coach", { first_name: "Cora" });
  await teams.adminPutUser(platform, "stranger", {});
  await teams.adminPutUser(platform, "ann", { first_name: "Ann", manager_id: "coach" });
  await teams.adminPutUser(platform, "assistant", {});
  await teams.adminPutTeam(platform, "club", {
    name: "Club",
    url: "https://club.example/",
    image: "https://club.example/i.png",
    privacy_statement: "https://club.example/p",
  });
  await teams.adminPutMember(platform, "club", "assistant", { role: "member" });
  await log.db
    .insertInto("workouts")
    .values([
      { user_id: "ann", day: "2026-11-02", kind: "row", minutes: 45 },
      { user_id: "ann", day: "2026-11-01", kind: "run", minutes: 30 },
    ])
    .execute();
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

const workoutsOf = (user: string, caller?: string) =>
  fetch(`${base}/users/${user}/workouts`, { headers: caller ? { "x-user-id": caller } : {} });

it("serves a user's workouts to the people Teams says may see them, and no one else", async () => {
  expect((await workoutsOf("ann")).status).toBe(401);
  expect((await workoutsOf("ann", "ann")).status).toBe(200); // herself
  expect((await workoutsOf("ann", "coach")).status).toBe(200); // her manager
  expect((await workoutsOf("ann", "assistant")).status).toBe(403); // the team, before she authorized it
  expect((await workoutsOf("ann", "stranger")).status).toBe(403);

  // Her coach authorizes the club for her, through Teams, in the same process and database.
  await log.teams.authorizeTeam(
    { userId: "ann", authorizedParty: "coach", scopes: ["data:read"] },
    "club",
    {
      scopes: ["data:read"],
    },
  );
  const seen = await workoutsOf("ann", "assistant");
  expect(seen.status).toBe(200);
  expect(await seen.json()).toEqual([
    { day: "2026-11-01", kind: "run", minutes: 30 },
    { day: "2026-11-02", kind: "row", minutes: 45 },
  ]);
  expect((await workoutsOf("ann", "stranger")).status).toBe(403);

  await log.teams.revokeTeam({ userId: "ann", authorizedParty: "coach", scopes: [] }, "club");
  expect((await workoutsOf("ann", "assistant")).status).toBe(403);
});
