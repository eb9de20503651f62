import { z } from "zod";
import { ACTOR_VIAS, CHANGE_CAUSES } from "./policy/consent-actor.js";
import { GRANTABLE_SCOPES, SCOPES } from "./scopes.js";

// The reference's component schemas, exactly: these are what responses are checked against and what
// /openapi.json publishes. Rules the reference does not show (non-empty, grantable) live in
// `request-schemas.ts` as refinements so the published shapes stay equal to the reference's.

export const Scope = z.enum(SCOPES).meta({ id: "Scope", title: "Scope" });
export type Scope = z.infer<typeof Scope>;
export const ApplicationMemberRole = z
  .enum(["owner", "member"])
  .meta({ id: "ApplicationMemberRole", title: "ApplicationMemberRole" });
export type ApplicationMemberRole = z.infer<typeof ApplicationMemberRole>;

const uri = z.url();

export const TeamResponse = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    url: uri,
    image: uri,
    privacy_statement: uri,
    role: ApplicationMemberRole.nullable(),
  })
  .meta({ id: "TeamResponse", title: "TeamResponse" });
export type TeamResponse = z.infer<typeof TeamResponse>;

export const AuthorizedTeamResponse = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    url: uri,
    image: uri,
    privacy_statement: uri,
    scopes: z.array(Scope),
  })
  .meta({ id: "AuthorizedTeamResponse", title: "AuthorizedTeamResponse" });
export type AuthorizedTeamResponse = z.infer<typeof AuthorizedTeamResponse>;

export const AuthorizeTeamRequest = z.object({ scopes: z.array(Scope) }).meta({
  id: "AuthorizeTeamRequest",
  title: "AuthorizeTeamRequest",
  description: "Request body for authorizing a team to access user data.",
});
export type AuthorizeTeamRequest = z.infer<typeof AuthorizeTeamRequest>;

export const UserSummary = z
  .strictObject({
    id: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    scopes: z.array(Scope),
    display_name: z.string(),
    is_managed: z.boolean(),
  })
  .meta({ id: "UserSummary", title: "UserSummary" });
export type UserSummary = z.infer<typeof UserSummary>;

/** What authorize and revoke answer: the (team, user) pair and its scope set. */
export const TeamAuthorization = z.strictObject({
  team_id: z.string(),
  user_id: z.string(),
  scopes: z.array(z.enum(GRANTABLE_SCOPES)),
});
export type TeamAuthorization = z.infer<typeof TeamAuthorization>;

// Beyond the reference (DESIGN §4).

export const MemberResponse = z.strictObject({
  id: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  display_name: z.string(),
  is_managed: z.boolean(),
  role: ApplicationMemberRole,
});
export type MemberResponse = z.infer<typeof MemberResponse>;

/** A user as the reference's platform answers it (`POST`/`GET`/`PUT /api/v1/users/...`). */
export const UserResponse = z.strictObject({
  id: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  // This service keeps no administrators among users (administration is a token scope).
  admin: z.boolean(),
  /** When the user row was created (ISO 8601, UTC). */
  registered_at: z.string().meta({ format: "date-time" }),
  display_name: z.string(),
  is_managed: z.boolean(),
});
export type UserResponse = z.infer<typeof UserResponse>;

/** A user as the admin API answers it: the platform's names and its manager. */
export const AdminUserResponse = z.strictObject({
  id: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  display_name: z.string(),
  is_managed: z.boolean(),
  manager_id: z.string().nullable(),
});
export type AdminUserResponse = z.infer<typeof AdminUserResponse>;

/** A team as its admin API and its consent page see it (no caller role). */
export const TeamDetails = TeamResponse.omit({ role: true });
export type TeamDetails = z.infer<typeof TeamDetails>;

const grantedScopes = z.array(z.enum(GRANTABLE_SCOPES)).nullable();

/**
 * One record of the consent log (DESIGN §7): a change of one authorization, who made it and why.
 * `scopes` is null when the change ended the authorization, `previous_scopes` when there was none.
 */
export const ConsentRecord = z.strictObject({
  id: z.number().int(),
  type: z.enum(["authorization.granted", "authorization.updated", "authorization.revoked"]),
  occurred_at: z.string().meta({ format: "date-time" }),
  team_id: z.string(),
  user_id: z.string(),
  scopes: grantedScopes,
  previous_scopes: grantedScopes,
  actor: z.strictObject({
    /** The token's subject; null for the service itself. */
    user_id: z.string().nullable(),
    /** The acting user of a delegated token; null otherwise. */
    authorized_party: z.string().nullable(),
    via: z.enum(ACTOR_VIAS),
  }),
  cause: z.enum(CHANGE_CAUSES),
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/**
 * A page of the events feed (`GET /api/v1/admin/events`): records in commit order, and the cursor
 * to read on from, which is never null: an empty page gives back the cursor it was asked with.
 */
export const EventsPage = z.strictObject({
  events: z.array(ConsentRecord),
  /** Where the next read starts (`after`): past the last event of this page. */
  next_cursor: z.string(),
});
export type EventsPage = z.infer<typeof EventsPage>;

/** A webhook subscription as the admin API answers it: never its whole secret. */
export const WebhookResponse = z.strictObject({
  id: z.string(),
  url: z.string(),
  /** The secret's first characters, to tell secrets apart (`whsec_AbCd…`). */
  secret_hint: z.string(),
  /** The event types sent; null for every type. */
  event_types: z
    .array(z.enum(["authorization.granted", "authorization.updated", "authorization.revoked"]))
    .nullable(),
  created_at: z.string().meta({ format: "date-time" }),
  updated_at: z.string().meta({ format: "date-time" }),
  /** Failed attempts at the next event to deliver (0 when none failed). */
  failed_attempts: z.number().int(),
  /** When the next attempt is due after a failure; null when none is waiting. */
  next_attempt_at: z.string().meta({ format: "date-time" }).nullable(),
});
export type WebhookResponse = z.infer<typeof WebhookResponse>;

/** One attempt to deliver an event to a webhook. */
export const WebhookDelivery = z.strictObject({
  id: z.number().int(),
  /** The consent log record sent (its `webhook-id`). */
  event_id: z.number().int(),
  /** 1 for the first attempt at this event. */
  attempt: z.number().int(),
  at: z.string().meta({ format: "date-time" }),
  /** The receiver's HTTP status; null when it did not answer. */
  status: z.number().int().nullable(),
  /** Why the attempt failed without an answer (timeout, refused connection, refused address). */
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
