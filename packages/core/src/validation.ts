import type { z } from "zod";
import { Invalid, type ValidationIssue } from "./errors.js";

/** Parses `input` with `schema`, or throws `Invalid` with pydantic-style issues (nothing changed). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // Parsed without options first: zod's compiled object parser then runs, where any option (even
  // `reportInput`, which only words issues) costs some 40 times more on every call (see
  // scripts/time-parse.ts). Only a refused input is parsed again, to report the inputs at fault.
  const quick = schema.safeParse(input);
  if (quick.success) return quick.data;
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) throw new Error("a schema accepted on its second parse what it refused");
  throw new Invalid(result.error.issues.map((issue) => toValidationIssue(issue, input)));
}

/** The value at `path` inside `root`, or undefined when the path leaves the objects. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const quoteList = (values: readonly unknown[]): string => {
  const quoted = values.map((v) => `'${String(v)}'`);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
};

const typeNames: Record<string, [type: string, msg: string]> = {
  string: ["string_type", "Input should be a valid string"],
  array: ["list_type", "Input should be a valid list"],
  object: [
    "model_attributes_type",
    "Input should be a valid dictionary or object to extract fields from",
  ],
  boolean: ["bool_type", "Input should be a valid boolean"],
  number: ["float_type", "Input should be a valid number"],
  int: ["int_type", "Input should be a valid integer"],
};

/** One zod issue in the words pydantic v2 (and so FastAPI) uses for the same mistake. */
export function toValidationIssue(issue: z.core.$ZodIssue, root?: unknown): ValidationIssue {
  const loc = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const input = issue.input;
  // An absent value is a missing field whatever its schema (an enum too); pydantic reports the
  // object it is missing from as the input, and null for an absent body.
  if (input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    const parent = loc.length === 0 ? null : valueAt(root, issue.path.slice(0, -1));
    return { type: "missing", loc, msg: "Field required", input: parent ?? null };
  }
  switch (issue.code) {
    case "invalid_type": {
      const [type, msg] = typeNames[issue.expected] ?? ["type_error", issue.message];
      return { type, loc, msg, input };
    }
    case "invalid_value":
      return { type: "enum", loc, msg: `Input should be ${quoteList(issue.values)}`, input };
    case "too_small":
      if (issue.origin === "string") {
        const n = Number(issue.minimum);
        return {
          type: "string_too_short",
          loc,
          msg: `String should have at least ${n} character${n === 1 ? "" : "s"}`,
          input,
        };
      }
      return {
        type: "too_short",
        loc,
        msg: `List should have at least ${Number(issue.minimum)} item after validation, not ${Array.isArray(input) ? input.length : 0}`,
        input,
      };
    case "too_big":
      if (issue.origin === "string") {
        return {
          type: "string_too_long",
          loc,
          msg: `String should have at most ${Number(issue.maximum)} characters`,
          input,
        };
      }
      return {
        type: "too_long",
        loc,
        msg: `List should have at most ${Number(issue.maximum)} items after validation, not ${Array.isArray(input) ? input.length : 0}`,
        input,
      };
    case "custom": {
      const type = typeof issue.params?.type === "string" ? issue.params.type : "value_error";
      return { type, loc, msg: issue.message, input };
    }
    default:
      return { type: "value_error", loc, msg: issue.message, input };
  }
}
