import { z } from "zod";
import type { CommitPosition } from "./commit-order.js";
import { normaliseLink } from "./link.js";
import { MAX_PAGE_SIZE, pageCursor, pageLimit } from "./pagination.js";
import { ApplicationMemberRole, AuthorizeTeamRequest, Scope } from "./schemas.js";
import { isGrantable } from "./scopes.js";

// Inputs the core accepts, with every rule the reference leaves to the implementation. A custom
// issue's `params.type` is the pydantic error type it is reported with.

/** Longest id accepted from a caller (ids are opaque; new ones are 26-character ULIDs). */
export const MAX_ID_LENGTH = 255;

export const AuthorizeTeamInput = AuthorizeTeamRequest.superRefine((value, ctx) => {
  if (value.scopes.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["scopes"],
      input: value.scopes,
      message: "List should have at least 1 item after validation, not 0",
      params: { type: "too_short" },
    });
  }
  value.scopes.forEach((scope, index) => {
    if (!isGrantable(scope)) {
      ctx.addIssue({
        code: "custom",
        path: ["scopes", index],
        input: scope,
        message: `Value error, scope '${scope}' cannot be granted to a team`,
        params: { type: "value_error" },
      });
    }
  });
});

// PostgreSQL cannot store NUL in text (SQLite can): refused alike on both stores, as a 422.
const noNul = [
  (value: string) => !value.includes("\u0000"),
  { message: "Value error, text cannot contain NUL", params: { type: "value_error" } },
] as const;

// A lone surrogate has no UTF-8 form: SQLite would write invalid UTF-8 and PostgreSQL something
// else, so the two stores would keep different text. Refused as a 422 on every text input.
const wellFormed = [
  (value: string) => value.isWellFormed(),
  {
    message: "Value error, text must be well-formed UTF-16 (no lone surrogates)",
    params: { type: "value_error" },
  },
] as const;

/** Text of at most `max` characters, well-formed and without NUL: what both stores can keep. */
const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(...noNul)
    .refine(...wellFormed);

/**
 * A team's link, refused unless `normaliseLink` accepts it and stored as it writes it. Written as a
 * check and an overwrite (not a transform) so the schema keeps its JSON form in the document.
 */
const httpUrl = storableText(2048)
  .superRefine((value, ctx) => {
    const link = normaliseLink(value);
    if (link.ok) {
      // Escaping and punycode can lengthen a link: the stored text keeps the same limit.
      if (link.href.length > 2048 && value.length <= 2048) {
        ctx.addIssue({
          code: "custom",
          input: value,
          message: "URL should have at most 2048 characters",
          params: { type: "url_too_long" },
        });
      }
      return;
    }
    ctx.addIssue({
      code: "custom",
      input: value,
      message: link.message,
      params: { type: link.type },
    });
  })
  .overwrite((value) => {
    const link = normaliseLink(value);
    return link.ok ? link.href : value;
  });

// Checked before trimming so an issue reports the value as sent, as pydantic does.
const teamName = z
  .string()
  .min(1)
  .max(200)
  .refine(...noNul)
  .refine(...wellFormed)
  .refine((s) => s === "" || s.trim() !== "", {
    message: "String should have at least 1 character",
    params: { type: "string_too_short" },
  })
  .trim();
const teamDescription = storableText(2000);
const personName = storableText(100).nullable();

/** Create a team (`POST /api/v1/teams/`) or put one by id (admin). */
export const TeamInput = z.object({
  name: teamName,
  description: teamDescription.default(""),
  url: httpUrl,
  image: httpUrl,
  privacy_statement: httpUrl,
});
export type TeamInput = z.input<typeof TeamInput>;

/** Change some of a team's fields (`PATCH /api/v1/teams/{team_id}`). */
export const TeamPatch = z.object({
  name: teamName.optional(),
  description: teamDescription.optional(),
  url: httpUrl.optional(),
  image: httpUrl.optional(),
  privacy_statement: httpUrl.optional(),
});
export type TeamPatch = z.input<typeof TeamPatch>;

export const MemberInput = z.object({ role: ApplicationMemberRole });
export type MemberInput = z.input<typeof MemberInput>;

/** A managed user created by its manager (`POST /api/v1/users/`). */
export const ManagedUserInput = z.object({
  first_name: personName.default(null),
  last_name: personName.default(null),
});
export type ManagedUserInput = z.input<typeof ManagedUserInput>;

/**
 * Rename a managed user (`PUT /api/v1/users/{user_id}`): the names given change, the others stay
 * (null, as the platform's clients send for "not given", leaves a name as it is).
 */
export const ManagedUserPatch = z.object({
  first_name: personName.optional(),
  last_name: personName.optional(),
});
export type ManagedUserPatch = z.input<typeof ManagedUserPatch>;

const trueWords = new Set(["1", "on", "t", "true", "y", "yes"]);
const falseWords = new Set(["0", "off", "f", "false", "n", "no"]);

/** A boolean query flag as FastAPI reads one (`true`/`false`, `1`/`0`, `yes`/`no`...); absent is true. */
const flag = z
  .unknown()
  .transform((input, ctx): boolean | undefined => {
    if (input === undefined) return undefined;
    if (input === true || input === false) return input;
    const word = typeof input === "string" ? input.toLowerCase() : undefined;
    if (word !== undefined && trueWords.has(word)) return true;
    if (word !== undefined && falseWords.has(word)) return false;
    ctx.addIssue({
      code: "custom",
      input,
      message: "Input should be a valid boolean, unable to interpret input",
      params: { type: "bool_parsing" },
    });
    return z.NEVER;
  })
  .optional();

/** `GET /api/v1/users/`: which parts of the list, and one page of it. */
export const UsersPageQuery = z.object({
  include_managed: flag,
  include_shared: flag,
  limit: pageLimit,
  cursor: pageCursor("user-list"),
});
export type UsersPageQuery = {
  include_managed?: boolean | string | undefined;
  include_shared?: boolean | string | undefined;
  limit?: number | string | undefined;
  cursor?: string | undefined;
};

/** A user put by the identity platform (`PUT /api/v1/admin/users/{user_id}`). */
export const AdminUserInput = z.object({
  first_name: personName.default(null),
  last_name: personName.default(null),
  manager_id: z
    .string()
    .min(1)
    .max(MAX_ID_LENGTH)
    .refine(...noNul)
    .refine(...wellFormed)
    .nullable()
    .default(null),
});
export type AdminUserInput = z.input<typeof AdminUserInput>;

export const ListTeamUsersQuery = z.object({
  name: storableText(200).optional(),
});
export type ListTeamUsersQuery = z.input<typeof ListTeamUsersQuery>;

/** One page of a team's users: `limit` (1 to 1000, absent for all) after `cursor`. */
export const TeamUsersPageQuery = ListTeamUsersQuery.extend({
  limit: pageLimit,
  cursor: pageCursor("users"),
});
export type TeamUsersPageQuery = {
  name?: string | undefined;
  limit?: number | string | undefined;
  cursor?: string | undefined;
};

/** One page of the teams a user authorized. */
export const AuthorizedTeamsPageQuery = z.object({
  limit: pageLimit,
  cursor: pageCursor("teams"),
});
export type AuthorizedTeamsPageQuery = {
  limit?: number | string | undefined;
  cursor?: string | undefined;
};

/** The access check's question, named as its query parameters are. */
export const AccessCheckInput = z.object({
  // A lookup: an id that cannot name a stored user is simply not found (no NUL rule, no limit).
  user_id: z
    .string()
    .min(1)
    .refine(...wellFormed),
  scope: Scope,
});

/** One page of the teams a user is a member of. */
export const TeamsPageQuery = z.object({
  limit: pageLimit,
  cursor: pageCursor("my-teams"),
});
export type TeamsPageQuery = AuthorizedTeamsPageQuery;

/** One page of a team's members. */
export const MembersPageQuery = z.object({
  limit: pageLimit,
  cursor: pageCursor("members"),
});
export type MembersPageQuery = AuthorizedTeamsPageQuery;

/** An id sent in a body: what a store can keep and a token's `sub` can hold. */
const bodyId = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .refine(...noNul)
  .refine(...wellFormed);

/**
 * Ask for a delegated token (`POST /api/v1/oauth/delegated-token`): act as `sub`, through the
 * team `team_id` when given, with at most `scopes` (everything that may be granted when absent).
 */
export const DelegatedTokenInput = z.object({
  sub: bodyId,
  scopes: z
    .array(Scope)
    .min(1)
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
  team_id: bodyId
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
});
export type DelegatedTokenInput = z.input<typeof DelegatedTokenInput>;

/** A cursor of the right list whose key this service never writes: refused like a foreign one. */
function notThisList(ctx: z.RefinementCtx, key: unknown): never {
  ctx.addIssue({
    code: "custom",
    input: key,
    message: "Value error, not a cursor of this list",
    params: { type: "value_error" },
  });
  return z.NEVER;
}

/**
 * A consent log page's cursor: the id of the page's last record (its key's sort part, in
 * decimal); any other key, which this service never writes, is refused like a foreign cursor.
 */
const idCursor = (kind: "history" | "deliveries") =>
  pageCursor(kind).transform((key, ctx): number | undefined => {
    if (key === undefined) return undefined;
    if (/^\d{1,15}$/.test(key[0]) && key[1] === "") return Number(key[0]);
    return notThisList(ctx, key);
  });
const historyCursor = idCursor("history");

/** One page of a team's consent history, in log order. */
export const TeamHistoryPageQuery = z.object({
  limit: pageLimit,
  cursor: historyCursor,
});
export type TeamHistoryPageQuery = AuthorizedTeamsPageQuery;

/** One page of a person's consent history (`user_id`: a managed user's, for its manager). */
export const AuthorizationHistoryPageQuery = TeamHistoryPageQuery.extend({
  user_id: z
    .string()
    .min(1)
    .refine(...wellFormed)
    .optional(),
});
export type AuthorizationHistoryPageQuery = AuthorizedTeamsPageQuery & {
  user_id?: string | undefined;
};

/** The largest transaction id PostgreSQL can give (a bigint); a cursor's tx is at most this. */
const MAX_TX = 2n ** 63n - 1n;

/**
 * The events feed's cursor: a commit position (commit-order.ts), the transaction and the record's
 * id in decimal; any other key, which this service never writes, is refused like a foreign cursor.
 */
const eventsCursor = pageCursor("events").transform((key, ctx): CommitPosition | undefined => {
  if (key === undefined) return undefined;
  const [tx, id] = key;
  if (/^\d{1,19}$/.test(tx) && BigInt(tx) <= MAX_TX && /^\d{1,15}$/.test(id)) return { tx, id };
  return notThisList(ctx, key);
});

/**
 * One page of the events feed (`GET /api/v1/admin/events`): the records after the cursor `after`
 * (from the start of the log without), at most `limit` (1 to MAX_PAGE_SIZE, default MAX_PAGE_SIZE).
 */
export const EventsPageQuery = z.object({
  after: eventsCursor,
  limit: pageLimit.transform((limit) => limit ?? MAX_PAGE_SIZE),
});
export type EventsPageQuery = {
  after?: string | undefined;
  limit?: number | string | undefined;
};

/** The event types a webhook may subscribe to: the consent log's record types. */
export const WEBHOOK_EVENT_TYPES = [
  "authorization.granted",
  "authorization.updated",
  "authorization.revoked",
] as const;

/**
 * A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes (the key of the
 * HMAC-SHA256 signatures).
 */
const webhookSecret = z.string().superRefine((value, ctx) => {
  const body = value.startsWith("whsec_") ? value.slice(6) : undefined;
  const bytes =
    body !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(body) && body.length % 4 === 0
      ? Buffer.from(body, "base64").length
      : 0;
  if (bytes < 24 || bytes > 64) {
    ctx.addIssue({
      code: "custom",
      input: value,
      message: "Value error, a secret is whsec_ followed by the base64 of 24 to 64 random bytes",
      params: { type: "value_error" },
    });
  }
});

/** The receiver's URL: absolute http(s), no credentials in it (they would be sent to anyone who sees a delivery). */
const webhookUrl = storableText(2048).superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  const problem =
    url === undefined
      ? "Input should be a valid URL"
      : url.protocol !== "http:" && url.protocol !== "https:"
        ? "URL scheme should be 'http' or 'https'"
        : url.username !== "" || url.password !== ""
          ? "Value error, a receiver's URL cannot hold credentials"
          : undefined;
  if (problem !== undefined) {
    ctx.addIssue({
      code: "custom",
      input: value,
      message: problem,
      params: { type: url === undefined ? "url_parsing" : "value_error" },
    });
  }
});

/** A webhook subscription, put by id (`PUT /api/v1/admin/webhooks/{webhook_id}`). */
export const WebhookInput = z.object({
  url: webhookUrl,
  secret: webhookSecret,
  /** The event types sent; absent or null for every type. */
  event_types: z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1)
    .nullable()
    .optional()
    .transform((v) => (v === undefined || v === null ? null : [...new Set(v)].sort())),
});
export type WebhookInput = z.input<typeof WebhookInput>;

/** One page of a webhook's delivery attempts, oldest first. */
export const WebhookDeliveriesPageQuery = z.object({
  limit: pageLimit,
  cursor: idCursor("deliveries"),
});
export type WebhookDeliveriesPageQuery = AuthorizedTeamsPageQuery;
