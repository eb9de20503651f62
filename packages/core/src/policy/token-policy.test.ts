import { describe, expect, it } from "vitest";
import { Forbidden, NotAuthenticated } from "../errors.js";
import type { Principal } from "../principal.js";
import { messages } from "./messages.js";
import {
  decideTokenUse,
  ENDPOINT_KINDS,
  needsSubjectFacts,
  type SubjectFacts,
  type TokenRow,
  tokenRow,
} from "./token-policy.js";

// DESIGN §2's token table: every kind of token against every kind of endpoint.

const KINDS = ENDPOINT_KINDS;

const token = (
  userId: string,
  authorizedParty: string | null,
  extra: Partial<Principal> = {},
): Principal => ({ userId, authorizedParty, scopes: [], ...extra });

const managedBy = (managerId: string | null): SubjectFacts => ({ managerId });

type Outcome = "allowed" | 403 | 401;
const A = "allowed";

interface Row {
  name: string;
  principal: Principal;
  subject: SubjectFacts | undefined;
  row: TokenRow;
  /** Whether deciding needs the subject's manager (a store read): only for delegated tokens. */
  reads: boolean;
  /** The outcome per kind, in the order of KINDS. */
  outcomes: Outcome[];
}

const rows: Row[] = [
  {
    name: "a person (no azp)",
    principal: token("carl", null),
    subject: undefined,
    row: "regular",
    reads: false,
    outcomes: [A, A, A, A, A, A, A, 403, A, A, A],
  },
  {
    name: "a person, azp = sub",
    principal: token("carl", "carl"),
    subject: undefined,
    row: "regular",
    reads: false,
    outcomes: [A, A, A, A, A, A, A, 403, A, A, A],
  },
  {
    name: "a person with the admin scope",
    principal: token("platform", null, { scopes: ["admin"] }),
    subject: undefined,
    row: "regular",
    reads: false,
    outcomes: [A, A, A, A, A, A, A, A, A, A, A],
  },
  {
    name: "a person whose token names a team (not delegated: the claim says nothing)",
    principal: token("carl", null, { teamId: "club" }),
    subject: undefined,
    row: "regular",
    reads: false,
    outcomes: [A, A, A, A, A, A, A, 403, A, A, A],
  },
  {
    name: "a manager as its managed user",
    principal: token("ann", "coach", { scopes: ["openid"] }),
    subject: managedBy("coach"),
    row: "managed-user",
    reads: true,
    outcomes: [A, A, A, A, A, 403, 403, 403, 403, 403, A],
  },
  {
    name: "a manager as its managed user, with the admin scope",
    principal: token("ann", "coach", { scopes: ["admin"] }),
    subject: managedBy("coach"),
    row: "managed-user",
    reads: true,
    outcomes: [A, A, A, A, A, 403, 403, 403, 403, 403, A],
  },
  {
    name: "delegated through a team",
    principal: token("ann", "coach", { teamId: "club" }),
    subject: managedBy("coach"),
    row: "through-team",
    reads: false,
    outcomes: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, A],
  },
  {
    name: "delegated by someone who is not the manager",
    principal: token("m3", "coach"),
    subject: managedBy("other-coach"),
    row: "other-delegated",
    reads: true,
    outcomes: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
  },
  {
    name: "delegated for a user who is not managed",
    principal: token("carl", "appx", { scopes: ["admin"] }),
    subject: managedBy(null),
    row: "other-delegated",
    reads: true,
    outcomes: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
  },
  {
    name: "delegated for a user who does not exist",
    principal: token("ghost", "coach"),
    subject: undefined,
    row: "other-delegated",
    reads: true,
    outcomes: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
  },
  {
    name: "delegated, the subject managed by the token's sub itself (no such thing)",
    principal: token("ann", "coach"),
    subject: managedBy("ann"),
    row: "other-delegated",
    reads: true,
    outcomes: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
  },
];

describe("tokenRow", () => {
  it.each(rows)("$name: $row", ({ principal, subject, row, reads }) => {
    expect(tokenRow(principal, subject)).toBe(row);
    expect(needsSubjectFacts(principal)).toBe(reads);
  });
});

describe("decideTokenUse: the token table", () => {
  const cases = rows.flatMap((r) =>
    KINDS.map((kind, i) => ({ ...r, kind, outcome: r.outcomes[i] as Outcome })),
  );
  it.each(cases)("$name on $kind: $outcome", ({ principal, subject, kind, outcome }) => {
    const refusal = decideTokenUse(principal, subject, kind);
    if (outcome === A) expect(refusal).toBeNull();
    else if (outcome === 401) {
      expect(refusal).toBeInstanceOf(NotAuthenticated);
      expect(refusal?.message).toBe(messages.couldNotValidate);
    } else expect(refusal).toBeInstanceOf(Forbidden);
  });

  it("has an outcome for every kind in every row", () => {
    for (const r of rows) expect(r.outcomes).toHaveLength(KINDS.length);
  });
});
