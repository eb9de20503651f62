import { WebhookDelivery, WebhookInput, WebhookResponse } from "@teams/core";
import type { Api } from "../http/api.js";
import { itemsAnswer, pageQuery } from "../http/page-links.js";
import { param } from "../http/params.js";
import { jsonSchema } from "../openapi/operations.js";
import { paging } from "../openapi/paging.js";

const delivery =
  "Each delivery is a POST of `{type, timestamp, data}` (`data`: the consent log record) signed as Standard Webhooks says: `webhook-id` (the record's id), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, keyed with the secret). At least once, in log order per subscriber; a non-2xx answer, a redirect, a timeout or a refused connection is retried with exponential backoff and jitter.";

/** Webhook subscriptions (issue 16), tokens with scope `admin`. */
export function webhookRoutes({ teams, principal, body, operation }: Api): void {
  const tags = ["webhooks"];

  operation(
    {
      method: "put",
      path: "/api/v1/admin/webhooks/{webhook_id}",
      operationId: "admin_put_webhook",
      summary: "Put Webhook",
      description: `Create or replace a subscription with the id you choose. A new one gets the changes committed from now on; replacing one keeps its place. \`secret\` is \`whsec_\` and the base64 of 24 to 64 random bytes; \`event_types\` (absent: all) narrows what is sent. A receiver whose host resolves to a loopback, private or link-local address is refused (422) unless the server allows it.\n\n${delivery}`,
      tags,
      body: { schema: jsonSchema(WebhookInput) },
      success: { status: 200, schema: jsonSchema(WebhookResponse) },
    },
    async (c) => {
      const caller = await principal(c);
      return c.json(await teams.adminPutWebhook(caller, param(c, "webhook_id"), await body(c)));
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/admin/webhooks",
      operationId: "admin_list_webhooks",
      summary: "List Webhooks",
      description: "Every subscription, by id, without their secrets.",
      tags,
      success: { status: 200, schema: { type: "array", items: jsonSchema(WebhookResponse) } },
    },
    async (c) => c.json(await teams.adminListWebhooks(await principal(c))),
  );

  operation(
    {
      method: "get",
      path: "/api/v1/admin/webhooks/{webhook_id}",
      operationId: "admin_get_webhook",
      summary: "Get Webhook",
      description: "One subscription, without its secret (only its first characters).",
      tags,
      success: { status: 200, schema: jsonSchema(WebhookResponse) },
    },
    async (c) => c.json(await teams.adminGetWebhook(await principal(c), param(c, "webhook_id"))),
  );

  operation(
    {
      method: "delete",
      path: "/api/v1/admin/webhooks/{webhook_id}",
      operationId: "admin_delete_webhook",
      summary: "Delete Webhook",
      description:
        "Delete a subscription and its recorded delivery attempts; nothing more is sent to it.",
      tags,
      success: { status: 204, description: "Deleted" },
    },
    async (c) => {
      await teams.adminDeleteWebhook(await principal(c), param(c, "webhook_id"));
      return new Response(null, { status: 204 });
    },
  );

  operation(
    {
      method: "get",
      path: "/api/v1/admin/webhooks/{webhook_id}/deliveries",
      issues: "query",
      paged: true,
      operationId: "admin_list_webhook_deliveries",
      summary: "List Webhook Deliveries",
      description: `Every attempt to deliver an event to the subscription, oldest first: the event, the attempt's number for that event, when, the receiver's status (null without an answer), the error and how long it took. Attempts older than 7 days are deleted.\n\n${paging}`,
      tags,
      success: { status: 200, schema: { type: "array", items: jsonSchema(WebhookDelivery) } },
    },
    async (c) => {
      const caller = await principal(c);
      return itemsAnswer(
        c,
        await teams.adminListWebhookDeliveries(caller, param(c, "webhook_id"), pageQuery(c)),
      );
    },
  );
}
