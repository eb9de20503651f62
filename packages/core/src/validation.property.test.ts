import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { Invalid, type ValidationIssue } from "./errors.js";
import { encodeCursor, MAX_PAGE_SIZE } from "./pagination.js";
import {
  AccessCheckInput,
  AdminUserInput,
  AuthorizedTeamsPageQuery,
  ListTeamUsersQuery,
  ManagedUserInput,
  TeamInput,
  TeamPatch,
  TeamUsersPageQuery,
} from "./request-schemas.js";
import { SCOPES } from "./scopes.js";
import { teamBody } from "./testing/fixtures.js";
import { parseInput, toValidationIssue } from "./validation.js";

// parseInput answers from zod's quick parse when it accepts, and parses again to word a refusal.
// These properties hold that answer equal to the schema's own full parse on hostile inputs, and
// pin the text rules (NUL, lone surrogates, limits) the stores depend on.

type Outcome = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] };

function viaParseInput(schema: z.ZodType, input: unknown): Outcome {
  try {
    return { ok: true, value: parseInput(schema, input) };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, issues: error.issues };
  }
}

/** The schema's answer with every input reported, in pydantic's words: the reference. */
function viaSchema(schema: z.ZodType, input: unknown): Outcome {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: result.error.issues.map((issue) => toValidationIssue(issue, input)) };
}

const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"] as const;

/** One character: mostly ordinary text, often one of the characters the stores cannot keep. */
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", ...LONE, " ", "\t", "😀") },
);
const text = (maxLength: number) => fc.string({ unit, maxLength });

/** A lone surrogate at the start, in the middle or at the end of `base`. */
const withLoneSurrogate = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(base, fc.constantFrom(...LONE), fc.constantFrom("start", "middle", "end"))
    .map(([s, lone, where]) => {
      const at = where === "start" ? 0 : where === "end" ? s.length : Math.floor(s.length / 2);
      // Splitting a pair of `s` leaves one of its halves alone: never well-formed either.
      return `${s.slice(0, at)}${lone}${s.slice(at)}`;
    });

/** Strings one to two characters either side of `limit`, some ending in NUL or a surrogate. */
const aroundLimit = (limit: number) =>
  fc
    .tuple(fc.integer({ min: limit - 2, max: limit + 2 }), fc.constantFrom("", "\u0000", "\ud800"))
    .map(([n, tail]) => "a".repeat(Math.max(0, n - tail.length)) + tail);

const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

/** What a text field may be sent: anything from well-formed text to the wrong type. */
const textInput = (limit: number) =>
  fc.oneof(
    text(8),
    withLoneSurrogate(text(6)),
    aroundLimit(limit),
    nonString,
    fc.constant(undefined),
  );

const sign = fc.constantFrom("", "", "+", "-");
const space = fc.constantFrom("", "", " ", "  ", "\t");
const limitInput = fc.oneof(
  fc.integer({ min: -5, max: MAX_PAGE_SIZE + 5 }),
  fc
    .tuple(space, sign, fc.integer({ min: 0, max: 1100 }), space)
    .map(([a, s, n, b]) => `${a}${s}${n}${b}`),
  fc.constantFrom(
    undefined,
    "",
    "0050",
    "5.0",
    "1e3",
    "0x10",
    "99999999999999999999999",
    "5\u0000",
    "5\ud800",
  ),
  fc.constantFrom(1.5, 1e300, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY),
  fc.bigInt().map(String),
  nonString,
);

const keyPart = fc.string({ unit: "grapheme", maxLength: 6 });
/** A cursor and whether the users list (`u`) or the teams list (`t`) wrote it, if either did. */
const cursorInput = fc.oneof(
  fc.tuple(keyPart, keyPart).map(([a, b]) => encodeCursor("users", [a, b])),
  fc.tuple(keyPart, keyPart).map(([a, b]) => encodeCursor("teams", [a, b])),
  // Forged: the right tag around keys no store can hold, or the wrong shape.
  fc
    .tuple(
      fc.constantFrom("u", "t"),
      fc.oneof(keyPart, withLoneSurrogate(keyPart), fc.constant("a\u0000")),
      fc.oneof(keyPart, fc.integer()),
    )
    .map((value) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url")),
  fc.string({ maxLength: 6 }).map((s) => `!${s}`),
  fc.constantFrom(undefined, "", "a".repeat(2001), "\ud800"),
  nonString,
);

const scopeInput = fc.oneof(fc.constantFrom(...SCOPES), text(10), nonString);
const urlInput = fc.oneof(
  text(8).map((s) => `https://a.example/${s}`),
  withLoneSurrogate(fc.constant("https://a.example/p")),
  aroundLimit(2048).map((s) => `https://a.example/${s.slice(19)}`),
  textInput(2048),
);
/** A field's value, or no field at all. */
const field = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });

const cases: { name: string; schema: z.ZodType; input: fc.Arbitrary<unknown> }[] = [
  {
    name: "AccessCheckInput",
    schema: AccessCheckInput,
    input: fc.record({ user_id: textInput(255), scope: field(scopeInput) }),
  },
  {
    name: "TeamUsersPageQuery",
    schema: TeamUsersPageQuery,
    input: fc.record(
      { name: textInput(200), limit: limitInput, cursor: cursorInput },
      { requiredKeys: [] },
    ),
  },
  {
    name: "AuthorizedTeamsPageQuery",
    schema: AuthorizedTeamsPageQuery,
    input: fc.record({ limit: limitInput, cursor: cursorInput }, { requiredKeys: [] }),
  },
  {
    name: "ListTeamUsersQuery",
    schema: ListTeamUsersQuery,
    input: fc.record({ name: textInput(200) }, { requiredKeys: [] }),
  },
  {
    name: "TeamInput",
    schema: TeamInput,
    input: fc.record({
      name: textInput(200),
      description: textInput(2000),
      url: urlInput,
      image: urlInput,
      privacy_statement: urlInput,
    }),
  },
  {
    name: "TeamPatch",
    schema: TeamPatch,
    input: fc.record(
      { name: textInput(200), description: textInput(2000), url: urlInput },
      { requiredKeys: [] },
    ),
  },
  {
    name: "ManagedUserInput",
    schema: ManagedUserInput,
    input: fc.record({ first_name: textInput(100), last_name: textInput(100) }),
  },
  {
    name: "AdminUserInput",
    schema: AdminUserInput,
    input: fc.record({
      first_name: textInput(100),
      last_name: textInput(100),
      manager_id: fc.oneof(textInput(255), fc.constant(null)),
    }),
  },
];

describe("parseInput answers as the schema does", () => {
  it.each(cases)("$name", ({ schema, input }) => {
    fc.assert(
      fc.property(fc.oneof(input, nonString), (value) => {
        expect(viaParseInput(schema, value)).toEqual(viaSchema(schema, value));
      }),
      { numRuns: 300 },
    );
  });
});

/** Text both stores keep alike: at most `max` UTF-16 units, well-formed, no NUL. */
const storable = (value: unknown, max: number): boolean =>
  typeof value === "string" &&
  value.length <= max &&
  !value.includes("\u0000") &&
  value.isWellFormed();

/** A limit as pydantic reads an `int` in lax mode, then checks its bounds. */
function limitOf(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  let n: number | undefined;
  if (typeof value === "number" && Number.isInteger(value)) n = value;
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) n = Number(value);
  return n !== undefined && n >= 1 && n <= MAX_PAGE_SIZE ? n : null;
}

describe("the users page query", () => {
  it("accepts exactly a storable name, a limit from 1 to 1000 and a cursor of this list", () => {
    fc.assert(
      fc.property(textInput(200), limitInput, keyPart, keyPart, (name, limit, a, b) => {
        for (const [cursor, key] of [
          [undefined, undefined],
          [encodeCursor("users", [a, b]), [a, b]],
          [encodeCursor("teams", [a, b]), null],
        ] as const) {
          const outcome = viaParseInput(TeamUsersPageQuery, { name, limit, cursor });
          const n = limitOf(limit);
          const accepted =
            (name === undefined || storable(name, 200)) && n !== null && key !== null;
          expect(outcome.ok, JSON.stringify({ name, limit, cursor })).toBe(accepted);
          if (outcome.ok) expect(outcome.value).toEqual({ name, limit: n, cursor: key });
        }
      }),
      { numRuns: 300 },
    );
  });
});

const WELL_FORMED_MSG = "Value error, text must be well-formed UTF-16 (no lone surrogates)";
const validTeam = teamBody("Club");
const url = (s: string) => `https://a.example/${s}`;

/** Every text field, with a valid input around it and the form its text takes there. */
const textFields: {
  schema: z.ZodType;
  base: Record<string, unknown>;
  field: string;
  form?: (s: string) => string;
  /** Cursors are not text to the caller: a broken one is "not a cursor of this list". */
  cursor?: boolean;
}[] = [
  ...["name", "description"].flatMap((field) => [
    { schema: TeamInput, base: validTeam, field },
    { schema: TeamPatch, base: {}, field },
  ]),
  ...["url", "image", "privacy_statement"].flatMap((field) => [
    { schema: TeamInput, base: validTeam, field, form: url },
    { schema: TeamPatch, base: {}, field, form: url },
  ]),
  { schema: ManagedUserInput, base: {}, field: "first_name" },
  { schema: ManagedUserInput, base: {}, field: "last_name" },
  { schema: AdminUserInput, base: {}, field: "first_name" },
  { schema: AdminUserInput, base: {}, field: "last_name" },
  { schema: AdminUserInput, base: {}, field: "manager_id" },
  { schema: ListTeamUsersQuery, base: {}, field: "name" },
  { schema: TeamUsersPageQuery, base: { limit: "5" }, field: "name" },
  { schema: AccessCheckInput, base: { scope: "data:read" }, field: "user_id" },
  { schema: TeamUsersPageQuery, base: {}, field: "cursor", cursor: true },
  { schema: AuthorizedTeamsPageQuery, base: {}, field: "cursor", cursor: true },
];

describe("text that is not well-formed UTF-16", () => {
  const schemaName = new Map<z.ZodType, string>(cases.map((c) => [c.schema, c.name]));
  it.each(textFields.map((f) => ({ ...f, label: `${schemaName.get(f.schema)}.${f.field}` })))(
    "is refused in $label",
    ({ schema, base, field: name, form = (s) => s, cursor }) => {
      fc.assert(
        fc.property(withLoneSurrogate(fc.string({ unit: "grapheme", maxLength: 8 })), (s) => {
          const value = form(s);
          const outcome = viaParseInput(schema, { ...base, [name]: value });
          expect(outcome.ok).toBe(false);
          const issues = outcome.ok ? [] : outcome.issues.filter((i) => i.loc[0] === name);
          expect(issues.length).toBeGreaterThan(0);
          const msg = cursor ? "Value error, not a cursor of this list" : WELL_FORMED_MSG;
          expect(issues).toContainEqual({ type: "value_error", loc: [name], msg, input: value });
        }),
        { numRuns: 50 },
      );
      // The same field takes well-formed text (the refusal is the surrogate's, not the field's).
      if (!cursor) expect(viaParseInput(schema, { ...base, [name]: form("ok") }).ok).toBe(true);
    },
  );
});
