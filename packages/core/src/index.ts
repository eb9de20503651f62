// @teams/core: the curated public surface. Anything not exported here is internal.

export type { ConsentResponse } from "./authorization-queries.js";
export type { CommitPosition } from "./commit-order.js";
export type {
  AuthorizationsTable,
  Database,
  MembershipsTable,
  RefreshTokensTable,
  TeamsTable,
  UsersTable,
  WebhookDeliveriesTable,
  WebhookOutboxTable,
  WebhooksTable,
} from "./database.js";
export type {
  DelegationClaims,
  GrantQuery,
  GrantStatus,
  GrantWithRefresh,
  IntrospectionCaller,
  ServiceGrant,
} from "./delegation-use-cases.js";
export { displayName } from "./display-name.js";
export {
  Forbidden,
  type ForbiddenReason,
  Invalid,
  InvalidGrant,
  NotAuthenticated,
  type NotAuthenticatedReason,
  NotFound,
  TeamsError,
  Unavailable,
  type ValidationIssue,
} from "./errors.js";
export { isPlausibleId, newId } from "./ids.js";
export { arrayText, type JsonLine, parseLines } from "./list-lines.js";
export { migrateToLatest } from "./migrate.js";
export { type MigrationPlan, type MigrationStep, migrationPlan } from "./migration-plan.js";
export {
  applyMigrations,
  LATEST_SCHEMA_VERSION,
  type Migration,
  migrations,
  readSchemaVersion,
  SchemaTooNew,
} from "./migrations.js";
export { foldName } from "./name-fold.js";
export type { ConsentChangeType, StoreFailure, TeamsObserver } from "./observer.js";
export { type LinesPage, MAX_PAGE_SIZE, type Page } from "./pagination.js";
export { type AccessFacts, decideAccess } from "./policy/access-policy.js";
export {
  decideAuthorize,
  decideConsent,
  decideDelegation,
  decideRevoke,
  type Subject,
} from "./policy/authorization-policy.js";
export type { ActorVia, ChangeCause, ConsentActor } from "./policy/consent-actor.js";
export {
  type BasisFacts,
  basisHolds,
  type DelegationFacts,
  type DelegationGrant,
  type DelegationRequest,
  decideDelegatedToken,
} from "./policy/delegation-policy.js";
export { messages } from "./policy/messages.js";
export {
  decideListTeamUsers,
  decideManageTeam,
  decideOwnerChange,
  decideReadTeam,
  decideRemoveMember,
  type Role,
} from "./policy/team-policy.js";
export {
  decideTokenUse,
  type EndpointKind,
  needsSubjectFacts,
  type SubjectFacts,
  type TokenRow,
  tokenRow,
} from "./policy/token-policy.js";
export {
  type CallerFacts,
  decideAdmin,
  decideCreateManagedUser,
  decideManagerAssignment,
} from "./policy/user-policy.js";
export {
  decideWebhookTarget,
  isDelivered,
  isPrivateAddress,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  retryDelayMs,
  wantsEvent,
} from "./policy/webhook-policy.js";
export { isDelegated, type Principal } from "./principal.js";
export {
  AccessCheckInput,
  AdminUserInput,
  AuthorizationHistoryPageQuery,
  AuthorizedTeamsPageQuery,
  AuthorizeTeamInput,
  DelegatedTokenInput,
  EventsPageQuery,
  ListTeamUsersQuery,
  MAX_ID_LENGTH,
  ManagedUserInput,
  ManagedUserPatch,
  MemberInput,
  MembersPageQuery,
  TeamHistoryPageQuery,
  TeamInput,
  TeamPatch,
  TeamsPageQuery,
  TeamUsersPageQuery,
  UsersPageQuery,
  WEBHOOK_EVENT_TYPES,
  WebhookDeliveriesPageQuery,
  WebhookInput,
} from "./request-schemas.js";
export {
  AdminUserResponse,
  ApplicationMemberRole,
  AuthorizedTeamResponse,
  AuthorizeTeamRequest,
  ConsentRecord,
  EventsPage,
  MemberResponse,
  Scope,
  TeamAuthorization,
  TeamDetails,
  TeamResponse,
  UserResponse,
  UserSummary,
  WebhookDelivery,
  WebhookResponse,
} from "./schemas.js";
export {
  canonicalScopes,
  GRANTABLE_SCOPES,
  type GrantableScope,
  isGrantable,
  isScope,
  SCOPES,
} from "./scopes.js";
export type { JsonField, StoreKind } from "./store-kind.js";
export {
  type CreateTeamsOptions,
  createTeams,
  type HistoryRetention,
  type Identity,
  type Teams,
} from "./teams.js";
export { parseInput, toValidationIssue } from "./validation.js";
export { webhookPayload } from "./webhook-body.js";
export type {
  DeliveryAttempt,
  DeliverySettlement,
  OutboxEvent,
  WebhookOutbox,
  WebhookTarget,
} from "./webhook-outbox.js";
export { checkWebhookTarget, resolveHost, type WebhookTargets } from "./webhook-target.js";
export { webhookNotFound } from "./webhook-use-cases.js";
