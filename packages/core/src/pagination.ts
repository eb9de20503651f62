import { z } from "zod";
import type { JsonLine } from "./list-lines.js";

/** One page of a list, and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * One page of a list whose items are the JSON lines the store builds or keeps (see
 * list-lines.ts), and the cursor of the next page (null on the last one).
 */
export interface LinesPage<T> {
  lines: JsonLine<T>[];
  next_cursor: string | null;
}

/** Largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 1000;

/** The position in an ordered list after which a page starts: its sort key and id. */
export type ListKey = readonly [sortKey: string, id: string];

/** Where a page starts and how long it is; no cursor starts at the top, no limit reads to the end. */
export interface PageWindow {
  after?: ListKey | undefined;
  /** Rows to read: one more than the page, to learn whether another follows. */
  rows?: number | undefined;
}

/**
 * A window as a prepared list query takes it: the parts its shape has (`after`, `limited`) and
 * their arguments, placeholders where a part is absent (the shape then sends none of them).
 */
export function windowParts(window: PageWindow) {
  const { after, rows } = window;
  return {
    after: after !== undefined,
    limited: rows !== undefined,
    key: after?.[0] ?? "",
    id: after?.[1] ?? "",
    rows: rows ?? 0,
  };
}

/** Which list a cursor belongs to, so that one list's cursor is refused by another. */
export type CursorKind =
  | "users"
  | "teams"
  | "members"
  | "my-teams"
  | "user-list"
  | "history"
  | "events"
  | "deliveries";

const tags: Record<CursorKind, string> = {
  users: "u",
  teams: "t",
  members: "m",
  "my-teams": "o",
  "user-list": "l",
  history: "h",
  events: "e",
  deliveries: "d",
};

/** An opaque cursor: base64url of the last key of a page, tagged with its list. */
export function encodeCursor(kind: CursorKind, key: ListKey): string {
  return Buffer.from(JSON.stringify([tags[kind], key[0], key[1]]), "utf8").toString("base64url");
}

/** The key a cursor of `kind` holds, or undefined for anything that is not such a cursor. */
export function decodeCursor(kind: CursorKind, cursor: string): ListKey | undefined {
  if (!/^[\w-]{1,2000}$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== tags[kind]) return undefined;
  const [, sortKey, id] = value as unknown[];
  // A forged key with NUL or a lone surrogate (JSON can spell one) could never match a row, and
  // PostgreSQL would refuse NUL outright.
  if (typeof sortKey !== "string" || typeof id !== "string") return undefined;
  const text = `${sortKey}${id}`;
  return !text.includes("\u0000") && text.isWellFormed() ? [sortKey, id] : undefined;
}

// A query string's limit arrives as text and a tRPC input's as a number; both are read as pydantic
// reads an `int` with bounds (lax mode), in its words.
const integerText = /^\s*[+-]?\d+\s*$/;

function limitIssue(ctx: z.core.$RefinementCtx, input: unknown, type: string, message: string) {
  ctx.addIssue({ code: "custom", input, message, params: { type } });
  return z.NEVER;
}

/** `limit`: an integer from 1 to MAX_PAGE_SIZE, absent for the whole list. */
export const pageLimit = z
  .unknown()
  .transform((input, ctx): number | undefined => {
    if (input === undefined) return undefined;
    let value: number;
    if (typeof input === "number") {
      if (!Number.isFinite(input) || !Number.isInteger(input)) {
        return limitIssue(
          ctx,
          input,
          "int_from_float",
          "Input should be a valid integer, got a number with a fractional part",
        );
      }
      value = input;
    } else if (typeof input === "string") {
      if (!integerText.test(input)) {
        return limitIssue(
          ctx,
          input,
          "int_parsing",
          "Input should be a valid integer, unable to parse string as an integer",
        );
      }
      value = Number(input);
    } else {
      return limitIssue(ctx, input, "int_type", "Input should be a valid integer");
    }
    if (value < 1) {
      return limitIssue(
        ctx,
        input,
        "greater_than_equal",
        "Input should be greater than or equal to 1",
      );
    }
    if (value > MAX_PAGE_SIZE) {
      return limitIssue(
        ctx,
        input,
        "less_than_equal",
        `Input should be less than or equal to ${MAX_PAGE_SIZE}`,
      );
    }
    return value;
  })
  .optional();

/** `cursor`: a cursor of the list `kind`, absent to start at the beginning. */
export function pageCursor(kind: CursorKind) {
  return z
    .unknown()
    .transform((input, ctx): ListKey | undefined => {
      if (input === undefined) return undefined;
      if (typeof input !== "string") {
        ctx.addIssue({
          code: "custom",
          input,
          message: "Input should be a valid string",
          params: { type: "string_type" },
        });
        return z.NEVER;
      }
      const key = decodeCursor(kind, input);
      if (key) return key;
      ctx.addIssue({
        code: "custom",
        input,
        message: "Value error, not a cursor of this list",
        params: { type: "value_error" },
      });
      return z.NEVER;
    })
    .optional();
}

/**
 * The page of `rows` fetched with one row more than `limit` (to learn whether another page
 * follows), and the cursor after its last item.
 */
export function toPage<R, T>(
  kind: CursorKind,
  rows: readonly R[],
  limit: number | undefined,
  keyOf: (row: R) => ListKey,
  toItem: (row: R) => T,
): Page<T> {
  const more = limit !== undefined && rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(toItem),
    next_cursor: more && last !== undefined ? encodeCursor(kind, keyOf(last)) : null,
  };
}

/**
 * Orders two list keys as both stores order text (SQLite's BINARY collation, PostgreSQL's "C"):
 * by Unicode code point, which is UTF-8 byte order. JavaScript's `<` compares UTF-16 code units,
 * which disagrees past U+FFFF.
 */
export function compareKeys(a: ListKey, b: ListKey): number {
  return compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  return j < b.length ? -1 : 0;
}
