// The reference (shared/spec/teams-api-reference.txt) transcribed: its five operations and the
// properties of its component schemas, as the page lists them. /openapi.json is compared to this.

export const referenceOperations = [
  {
    method: "get",
    path: "/api/v1/teams/",
    summary: "List Teams",
    parameters: [
      ["refreshed-token", "header"],
      ["token", "cookie"],
    ],
    requestBody: null,
    response: { items: "TeamResponse", title: "Response List Teams Api V1 Teams  Get" },
  },
  {
    method: "get",
    path: "/api/v1/teams/authorized",
    summary: "List Authorized Teams",
    parameters: [
      ["refreshed-token", "header"],
      ["token", "cookie"],
    ],
    requestBody: null,
    response: {
      items: "AuthorizedTeamResponse",
      title: "Response List Authorized Teams Api V1 Teams Authorized Get",
    },
  },
  {
    method: "post",
    path: "/api/v1/teams/{team_id}/authorize",
    summary: "Authorize Team",
    parameters: [
      ["team_id", "path"],
      ["refreshed-token", "header"],
      ["token", "cookie"],
    ],
    requestBody: "AuthorizeTeamRequest",
    response: null,
  },
  {
    method: "delete",
    path: "/api/v1/teams/{team_id}/authorize",
    summary: "Revoke Team Authorization",
    parameters: [
      ["team_id", "path"],
      ["refreshed-token", "header"],
      ["token", "cookie"],
    ],
    requestBody: null,
    response: null,
  },
  {
    method: "get",
    path: "/api/v1/teams/{team_id}/users",
    summary: "List Team Users",
    parameters: [
      ["team_id", "path"],
      ["refreshed-token", "header"],
      ["token", "cookie"],
    ],
    requestBody: null,
    response: {
      items: "UserSummary",
      title: "Response List Team Users Api V1 Teams  Team Id  Users Get",
    },
  },
] as const;

/** "Schemas" section of the reference: property → type as listed ("" where the page shows none). */
export const referenceComponents = {
  ApplicationMemberRole: "string",
  Scope: "string",
  AuthorizedTeamResponse: {
    description: "string",
    id: "string",
    image: "string(uri)",
    name: "string",
    privacy_statement: "string(uri)",
    scopes: "Array<Scope>",
    url: "string(uri)",
  },
  AuthorizeTeamRequest: { scopes: "Array<Scope>" },
  HTTPValidationError: { detail: "Array<ValidationError>" },
  TeamResponse: {
    description: "string",
    id: "string",
    image: "string(uri)",
    name: "string",
    privacy_statement: "string(uri)",
    role: "",
    url: "string(uri)",
  },
  UserSummary: {
    display_name: "string",
    first_name: "",
    id: "string",
    is_managed: "boolean",
    last_name: "",
    scopes: "Array<Scope>",
  },
  ValidationError: { loc: "Array<>", msg: "string", type: "string" },
} as const;

/** The request body schema of AuthorizeTeamRequest, exactly as the page prints it. */
export const authorizeTeamRequestSchema = {
  properties: {
    scopes: { items: { $ref: "#/components/schemas/Scope" }, type: "array", title: "Scopes" },
  },
  type: "object",
  required: ["scopes"],
  title: "AuthorizeTeamRequest",
  description: "Request body for authorizing a team to access user data.",
};

export const httpValidationErrorSchema = {
  properties: {
    detail: {
      items: { $ref: "#/components/schemas/ValidationError" },
      type: "array",
      title: "Detail",
    },
  },
  type: "object",
  title: "HTTPValidationError",
};
