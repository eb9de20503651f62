import { describe, expect, it } from "vitest";
import type { Context } from "./context.js";
import { Forbidden, NotAuthenticated } from "./errors.js";
import { ENDPOINT_KINDS } from "./policy/token-policy.js";
import type { Principal } from "./principal.js";
import { useToken } from "./token-use.js";

// useToken without a database: the tokens whose row does not depend on the store never touch it
// (a person's request costs no query for the token table); the stores' suites cover the rest.

/** A context whose store fails on any use, so a read would reject. */
const noStore = {
  store: new Proxy(
    {},
    {
      get() {
        throw new Error("the store was read");
      },
    },
  ),
} as unknown as Context;

const KINDS = ENDPOINT_KINDS;

const person: Principal = { userId: "carl", authorizedParty: null, scopes: [] };

describe("useToken", () => {
  it("refuses a missing principal first", async () => {
    await expect(useToken(noStore, null, "list-teams")).rejects.toThrow(
      new NotAuthenticated("Not authenticated", { reason: "token_missing" }),
    );
  });

  it.each(KINDS)("a person on %s: no store read", async (kind) => {
    const token = await useToken(noStore, person, kind);
    expect(token.principal).toBe(person);
    if (kind === "administration") expect(() => token.permit()).toThrow(Forbidden);
    else expect(() => token.permit()).not.toThrow();
  });

  it("a person whose azp is itself: no store read", async () => {
    const token = await useToken(noStore, { ...person, authorizedParty: "carl" }, "management");
    expect(() => token.permit()).not.toThrow();
  });

  it.each(KINDS)(
    "a token delegated through a team on %s: no store read, 403 at permit but on principal-token",
    async (kind) => {
      const token = await useToken(
        noStore,
        { userId: "ann", authorizedParty: "coach", scopes: [], teamId: "club" },
        kind,
      );
      if (kind === "principal-token") expect(() => token.permit()).not.toThrow();
      else expect(() => token.permit()).toThrow(Forbidden);
    },
  );

  it("a delegated token reads its subject's manager", async () => {
    await expect(
      useToken(noStore, { userId: "ann", authorizedParty: "coach", scopes: [] }, "list-teams"),
    ).rejects.toThrow("the store was read");
  });
});
