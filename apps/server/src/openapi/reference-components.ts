// The reference's component schemas as FastAPI publishes them (spec/teams-api-reference.txt),
// written out rather than generated so /openapi.json carries exactly their names and shapes.
// The zod schemas in @teams/core validate the same shapes; a test keeps the two in step.

const uri = (title: string) => ({ type: "string", format: "uri", title });
const str = (title: string) => ({ type: "string", title });
const nullableString = (title: string) => ({
  anyOf: [{ type: "string" }, { type: "null" }],
  title,
});
const scopeList = { type: "array", items: { $ref: "#/components/schemas/Scope" }, title: "Scopes" };
const teamProperties = {
  id: str("Id"),
  name: str("Name"),
  description: str("Description"),
  url: uri("Url"),
  image: uri("Image"),
  privacy_statement: uri("Privacy Statement"),
};
const teamRequired = ["id", "name", "description", "url", "image", "privacy_statement"];

export const referenceSchemas = {
  ApplicationMemberRole: {
    type: "string",
    enum: ["owner", "member"],
    title: "ApplicationMemberRole",
  },
  Scope: {
    type: "string",
    // The platform's order (its generated SDK lists them so), not SCOPES' order of answers.
    enum: ["data:read", "data:write", "admin", "openid", "profile", "offline_access"],
    title: "Scope",
  },
  TeamResponse: {
    properties: {
      ...teamProperties,
      role: { anyOf: [{ $ref: "#/components/schemas/ApplicationMemberRole" }, { type: "null" }] },
    },
    type: "object",
    // Required and nullable, as the platform has it: every answer carries `role`, null when none.
    required: [...teamRequired, "role"],
    title: "TeamResponse",
  },
  AuthorizedTeamResponse: {
    properties: { ...teamProperties, scopes: scopeList },
    type: "object",
    required: [...teamRequired, "scopes"],
    title: "AuthorizedTeamResponse",
  },
  AuthorizeTeamRequest: {
    properties: { scopes: scopeList },
    type: "object",
    required: ["scopes"],
    title: "AuthorizeTeamRequest",
    description: "Request body for authorizing a team to access user data.",
  },
  UserSummary: {
    properties: {
      id: str("Id"),
      first_name: nullableString("First Name"),
      last_name: nullableString("Last Name"),
      scopes: scopeList,
      display_name: str("Display Name"),
      is_managed: { type: "boolean", title: "Is Managed" },
    },
    type: "object",
    required: ["id", "first_name", "last_name", "scopes", "display_name", "is_managed"],
    title: "UserSummary",
  },
  HTTPValidationError: {
    properties: {
      detail: {
        items: { $ref: "#/components/schemas/ValidationError" },
        type: "array",
        title: "Detail",
      },
    },
    type: "object",
    title: "HTTPValidationError",
  },
  // Not a component of the reference: FastAPI's `{"detail": "..."}` error body, named so that
  // generated clients type 401/403/404/503 answers as what they are, not as validation errors.
  HTTPError: {
    properties: { detail: { type: "string", title: "Detail" } },
    type: "object",
    required: ["detail"],
    title: "HTTPError",
  },
  ValidationError: {
    properties: {
      loc: {
        items: { anyOf: [{ type: "string" }, { type: "integer" }] },
        type: "array",
        title: "Location",
      },
      msg: { type: "string", title: "Message" },
      type: { type: "string", title: "Error Type" },
    },
    type: "object",
    required: ["loc", "msg", "type"],
    title: "ValidationError",
  },
} as const;

export const securitySchemes = {
  HTTPBearer: { type: "http", scheme: "bearer" },
  HTTPBasic: { type: "http", scheme: "basic" },
} as const;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
