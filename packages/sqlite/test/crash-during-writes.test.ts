import { join } from "node:path";
import { createTeams } from "@teams/core";
import { admin, teamBody } from "@teams/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { Child, killRunningChildren, sleep } from "./support/child-process.js";
import {
  inspectFile,
  pairKey,
  readAuthorizations,
  removeTempDirs,
  scopeSetKey,
  tempDir,
} from "./support/database-file.js";
import { PLAN_MANAGER, PLAN_TEAM, PLAN_USERS, planUser, WRITE_PLAN } from "./support/write-plan.js";

// A process killed at any moment loses nothing it acknowledged: every awaited authorization and
// revocation is in the file, and the one operation in flight is either fully there or not at all.

const KILLS = 6;

/** Each user's authorization (scope set key) after the first `count` operations of the plan. */
function stateAfter(count: number): Record<string, string> {
  const state: Record<string, string> = {};
  for (const op of WRITE_PLAN.slice(0, count)) {
    if (op.kind === "authorize") state[op.user] = scopeSetKey(op.scopes);
    else delete state[op.user];
  }
  return state;
}

/** The users' authorizations of the plan's team in the file, by user. */
function stored(filename: string): Record<string, string> {
  const all = readAuthorizations(filename);
  const byUser: Record<string, string> = {};
  for (let i = 0; i < PLAN_USERS; i++) {
    const scopes = all.get(pairKey(planUser(i), PLAN_TEAM));
    if (scopes !== undefined) byUser[planUser(i)] = scopes;
  }
  // Nothing else was ever written.
  expect(all.size).toBe(Object.keys(byUser).length);
  return byUser;
}

async function seed(filename: string) {
  const store = await openSqliteStore({ filename });
  const teams = createTeams(store);
  await teams.adminPutUser(admin, PLAN_MANAGER, { first_name: "Cora", last_name: "Coach" });
  for (let i = 0; i < PLAN_USERS; i++) {
    await teams.adminPutUser(admin, planUser(i), {
      first_name: "Athlete",
      last_name: String(i),
      manager_id: PLAN_MANAGER,
    });
  }
  await teams.adminPutTeam(admin, PLAN_TEAM, teamBody("Club"));
  await store.close();
}

describe("a process killed while writing", () => {
  afterEach(async () => {
    await killRunningChildren();
    removeTempDirs();
  });

  it(`keeps every acknowledged write (${KILLS} kills on one file, then a run to the end)`, async () => {
    const filename = join(tempDir(), "teams.db");
    await seed(filename);
    // Operations known to have taken effect: the next child continues from there.
    let done = 0;
    const log: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      const child = new Child("plan-writer.ts", [filename, String(done)]);
      const target = 5 + Math.floor(Math.random() * 60);
      // Killed a moment after the target-th acknowledgement, wherever the next operation then is.
      await child.waitForLine(() => true, target - 1);
      await sleep(Math.random() * 3);
      child.kill();
      const exit = await child.exited;
      expect(exit.signal, child.stderr).toBe("SIGKILL");

      const acked = child.lines.filter((l) => /^\d+$/.test(l)).map(Number);
      expect(acked, "acknowledged in plan order").toEqual(acked.map((_, k) => done + k));
      const acknowledgedCount = done + acked.length;
      expect(acknowledgedCount).toBeLessThan(WRITE_PLAN.length);
      const context = `round ${round}: ${acked.length} acknowledged, then killed in operation ${acknowledgedCount}`;

      expect(inspectFile(filename).integrity, context).toBe("ok");
      const actual = stored(filename);
      // Exactly the acknowledged state, or that plus the operation in flight, and nothing further.
      const inFlight = WRITE_PLAN[acknowledgedCount];
      const landed =
        inFlight !== undefined &&
        actual[inFlight.user] === stateAfter(acknowledgedCount + 1)[inFlight.user];
      const expected = stateAfter(acknowledgedCount + (landed ? 1 : 0));
      expect(actual, context).toEqual(expected);
      done = acknowledgedCount + (landed ? 1 : 0);
      log.push(`${acked.length} acked${landed ? " + in-flight landed" : ""}`);
    }

    // The file keeps working after all those kills: the rest of the plan runs to the end.
    const child = new Child("plan-writer.ts", [filename, String(done)]);
    await child.waitForLine((l) => l === "done");
    child.kill();
    await child.exited;
    expect(inspectFile(filename).integrity).toBe("ok");
    const final = stored(filename);
    expect(final).toEqual(stateAfter(WRITE_PLAN.length));
    // Two thirds of the users end authorized: those not revoked.
    expect(Object.keys(final)).toHaveLength(PLAN_USERS - Math.ceil(PLAN_USERS / 3));
    console.info(
      `killed mid-write: ${KILLS} kills (${log.join("; ")}), then ${WRITE_PLAN.length - done} ` +
        `operations to the end; ${WRITE_PLAN.length} planned operations over ${PLAN_USERS} users`,
    );
  }, 60_000);
});
