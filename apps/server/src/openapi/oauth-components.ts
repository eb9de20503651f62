// The OAuth endpoints' shapes (issue 15): the token response the reference's clients parse, the
// RFC 6749 §5.2 error, the RFC 7662 introspection answer, and the form bodies.

const str = (title: string, description?: string) => ({
  type: "string",
  title,
  ...(description ? { description } : {}),
});

export const oauthSchemas = {
  TokenResponse: {
    type: "object",
    title: "TokenResponse",
    properties: {
      access_token: str("Access Token", "A JWT signed by this service"),
      token_type: { type: "string", enum: ["Bearer"], title: "Token Type" },
      expires_in: { type: "integer", title: "Expires In", description: "Seconds" },
      refresh_token: str("Refresh Token", "Opaque; rotated on every use"),
      scope: str("Scope", "Space-separated scopes of the access token"),
    },
    required: ["access_token", "token_type", "expires_in", "refresh_token", "scope"],
  },
  OAuthError: {
    type: "object",
    title: "OAuthError",
    properties: {
      error: {
        type: "string",
        enum: [
          "invalid_request",
          "invalid_client",
          "invalid_grant",
          "unsupported_grant_type",
          "unsupported_token_type",
        ],
        title: "Error",
      },
      error_description: str("Error Description"),
    },
    required: ["error", "error_description"],
  },
  IntrospectionResponse: {
    type: "object",
    title: "IntrospectionResponse",
    properties: {
      active: { type: "boolean", title: "Active" },
      sub: str("Sub"),
      scope: str("Scope"),
      exp: { type: "integer", title: "Exp" },
      token_type: str("Token Type"),
      iss: str("Iss"),
      jti: str("Jti"),
      azp: str("Azp"),
      team_id: str("Team Id"),
      act: {
        type: "object",
        title: "Act",
        properties: { sub: str("Sub") },
        required: ["sub"],
      },
    },
    required: ["active"],
  },
} as const;

/** `grant_type=refresh_token&refresh_token=...` (RFC 6749 §6). */
export const refreshForm = {
  type: "object",
  properties: {
    grant_type: { type: "string", enum: ["refresh_token"], title: "Grant Type" },
    refresh_token: str("Refresh Token"),
    client_id: str("Client Id", "Accepted and ignored"),
    client_secret: str("Client Secret", "Accepted and ignored"),
  },
  required: ["grant_type", "refresh_token"],
};

/** `token=...&token_type_hint=...` (RFC 7009 §2.1, RFC 7662 §2.1). */
export const tokenForm = {
  type: "object",
  properties: {
    token: str("Token"),
    token_type_hint: {
      type: "string",
      enum: ["access_token", "refresh_token"],
      title: "Token Type Hint",
    },
  },
  required: ["token"],
};

/** `{sub, scopes?, team_id?}`: whom to act as, with what, through which team. */
export const delegatedTokenBody = {
  type: "object",
  title: "DelegatedTokenRequest",
  properties: {
    sub: str("Sub", "The user to act as"),
    scopes: {
      anyOf: [
        { type: "array", items: { $ref: "#/components/schemas/Scope" }, minItems: 1 },
        { type: "null" },
      ],
      title: "Scopes",
      description: "Narrow the token to these; default everything that may be granted",
    },
    team_id: {
      anyOf: [{ type: "string" }, { type: "null" }],
      title: "Team Id",
      description: "Act through this team's authorization instead of as the user's manager",
    },
  },
  required: ["sub"],
};
