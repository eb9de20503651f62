import type {
  AuthorizedTeamResponse,
  ConsentRecord,
  EventsPage,
  TeamAuthorization,
  TeamResponse,
  UserSummary,
  WebhookDelivery,
  WebhookResponse,
} from "@teams/core";
import { describe, expectTypeOf, it } from "vitest";
import { createTeamsClient } from "./index.js";

// Checked by tsc (vitest --typecheck): the client's inputs and outputs come from the router's type
// alone, so a wrong call does not compile.
const client = createTeamsClient({ url: "http://teams.test", token: "t" });

describe("typed client", () => {
  it("infers the reference's shapes as outputs", () => {
    expectTypeOf(client.teams.list.query).returns.resolves.toEqualTypeOf<TeamResponse[]>();
    expectTypeOf(client.teams.authorized.query).returns.resolves.toEqualTypeOf<
      AuthorizedTeamResponse[]
    >();
    expectTypeOf(client.teams.users.query).returns.resolves.toEqualTypeOf<UserSummary[]>();
    expectTypeOf(client.teams.authorize.mutate).returns.resolves.toEqualTypeOf<TeamAuthorization>();
    expectTypeOf(client.admin.webhook.query).returns.resolves.toEqualTypeOf<WebhookResponse>();
    expectTypeOf(client.admin.webhookDeliveries.query).returns.resolves.toEqualTypeOf<{
      items: WebhookDelivery[];
      next_cursor: string | null;
    }>();
    expectTypeOf(client.manage.canAccess.query).returns.resolves.toMatchTypeOf<{
      allowed: boolean;
    }>();
    // The consent history and the admin events feed (issue 16).
    expectTypeOf(client.manage.authorizationHistory.query).returns.resolves.toEqualTypeOf<{
      items: ConsentRecord[];
      next_cursor: string | null;
    }>();
    expectTypeOf(client.admin.events.query).returns.resolves.toEqualTypeOf<EventsPage>();
  });

  it("infers inputs, and refuses wrong calls", () => {
    expectTypeOf(client.teams.authorize.mutate).parameter(0).toEqualTypeOf<{
      team_id: string;
      scopes: ("data:read" | "data:write" | "profile" | "openid" | "offline_access" | "admin")[];
    }>();
    // @ts-expect-error: an unknown scope
    void client.teams.authorize.mutate({ team_id: "t", scopes: ["data:delete"] });
    // @ts-expect-error: team_id is required
    void client.teams.revoke.mutate({});
    // @ts-expect-error: a role outside ApplicationMemberRole
    void client.manage.putMember.mutate({ team_id: "t", user_id: "u", role: "captain" });
    void client.admin.putWebhook.mutate({
      webhook_id: "w",
      url: "https://x.example/",
      secret: "whsec_x",
      // @ts-expect-error: an event type that is not a consent log record's
      event_types: ["team.deleted"],
    });
    // @ts-expect-error: no such procedure
    void client.teams.destroyEverything.mutate();
    // @ts-expect-error: a query is not a mutation
    void client.teams.list.mutate();
    // @ts-expect-error: the feed's cursor is text
    void client.admin.events.query({ after: 1 });
  });
});
