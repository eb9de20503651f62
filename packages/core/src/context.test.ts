import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { createContext, type WriteStore } from "./context.js";
import type { Database } from "./database.js";
import { NotFound, Unavailable } from "./errors.js";
import type { TeamsObserver } from "./observer.js";
import type { StoreKind } from "./store-kind.js";

// A store whose transactions run the callback at once, with a fake transaction: the retry logic
// and the observer's calls are what is under test, not SQL.
const db = {
  transaction: () => ({
    setIsolationLevel: () => ({
      execute: (fn: (trx: unknown) => Promise<unknown>) => fn({}),
    }),
  }),
} as unknown as Kysely<Database>;
const kind = { family: "sqlite" } as StoreKind;

function recording() {
  const calls: string[] = [];
  const observer: TeamsObserver = {
    consentChanged: (type, cause, count) => calls.push(`consent ${type} ${cause} ${count}`),
    storeRetried: (attempt) => calls.push(`retried ${attempt}`),
    storeFailed: (failure) => calls.push(`failed ${failure}`),
  };
  return { calls, ctx: createContext({ db, kind }, () => new Date(0), 3, observer) };
}

const conflict = () => Object.assign(new Error("could not serialize access"), { code: "40001" });

describe("write transactions, as the observer sees them", () => {
  it("reports the consent records of the attempt that committed, once, after the lost ones' retries", async () => {
    const { calls, ctx } = recording();
    let attempt = 0;
    await ctx.write(async (tx: WriteStore) => {
      attempt++;
      tx.consentTally?.add("authorization.granted", "manager", 1);
      if (attempt < 3) throw conflict();
      tx.consentTally?.add("authorization.revoked", "team_deleted", 2);
      tx.consentTally?.add("authorization.granted", "manager", 1);
    });
    expect(calls).toEqual([
      "retried 1",
      "retried 2",
      "consent authorization.granted manager 2",
      "consent authorization.revoked team_deleted 2",
    ]);
  });

  it.each([
    ["a race lost on every attempt", conflict, ["retried 1", "retried 2", "failed contention"]],
    ["the store unavailable", () => new Unavailable("down", 5), ["failed unavailable"]],
    ["an untyped error", () => new TypeError("bug"), ["failed unexpected"]],
    ["a typed answer of a rule", () => new NotFound("Team not found"), []],
  ])("reports %s, and no consent change", async (_what, error, expected) => {
    const { calls, ctx } = recording();
    await expect(
      ctx.write(async (tx) => {
        tx.consentTally?.add("authorization.granted", "user", 1);
        throw error();
      }),
    ).rejects.toThrow();
    expect(calls).toEqual(expected);
  });

  it("reports nothing without an observer", async () => {
    const ctx = createContext({ db, kind }, () => new Date(0), 2);
    await expect(ctx.write(async () => "done")).resolves.toBe("done");
  });
});
