import type { Context } from "./context.js";
import { Invalid, NotFound } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import { type Page, toPage } from "./pagination.js";
import type { Principal } from "./principal.js";
import { WebhookDeliveriesPageQuery, WebhookInput } from "./request-schemas.js";
import type { WebhookDelivery, WebhookResponse } from "./schemas.js";
import { useToken } from "./token-use.js";
import { parseInput } from "./validation.js";
import * as q from "./webhook-queries.js";
import { checkWebhookTarget, type WebhookTargets } from "./webhook-target.js";
import * as w from "./webhook-writes.js";

// Webhook subscriptions, for administrators (issue 16): put, read, delete, and their delivery
// attempts. The deliveries themselves are made by the host (`webhookDelivery`, below), which
// does the HTTP.

type P = Principal | null | undefined;

export const webhookNotFound = "Webhook not found";

export function webhookUseCases(ctx: Context, targets: WebhookTargets) {
  const { store } = ctx;
  const admin = (principal: P) => useToken(ctx, principal, "administration");
  const requireId = (id: string) => {
    if (!isPlausibleId(id)) {
      throw new Invalid([
        {
          type: "value_error",
          loc: ["webhook_id"],
          msg: "Value error, an id is 1 to 255 characters of well-formed text without control characters",
          input: id,
        },
      ]);
    }
  };
  return {
    /**
     * Creates or replaces a subscription (`PUT /api/v1/admin/webhooks/{webhook_id}`). A new one
     * gets the changes committed from now on (its cursor starts at the outbox's end); replacing
     * one keeps its cursor. A receiver on a refused address is a 422.
     */
    async adminPutWebhook(principal: P, id: string, body: unknown): Promise<WebhookResponse> {
      const token = await admin(principal);
      requireId(id);
      const input = parseInput(WebhookInput, body);
      token.permit();
      const refused = await checkWebhookTarget(input.url, targets);
      if (refused !== null) {
        throw new Invalid([
          {
            type: "value_error",
            loc: ["url"],
            msg: `Value error, ${refused}`,
            input: input.url,
          },
        ]);
      }
      const now = ctx.now();
      const fields = {
        url: input.url,
        secret: input.secret,
        event_types: input.event_types === null ? null : input.event_types.join(" "),
      };
      return ctx.write(async (tx) => {
        await w.putWebhookRow(tx, id, fields, now, await q.outboxEnd(tx));
        const row = await q.findWebhook(tx, id);
        if (!row) throw new Error("webhook vanished inside its own transaction");
        return q.toWebhookResponse(row);
      });
    },

    /** One subscription (`GET /api/v1/admin/webhooks/{webhook_id}`), without its secret. */
    async adminGetWebhook(principal: P, id: string): Promise<WebhookResponse> {
      (await admin(principal)).permit();
      const row = isPlausibleId(id) ? await q.findWebhook(store, id) : undefined;
      if (!row) throw new NotFound(webhookNotFound);
      return q.toWebhookResponse(row);
    },

    /** Every subscription, by id (`GET /api/v1/admin/webhooks`). */
    async adminListWebhooks(principal: P): Promise<WebhookResponse[]> {
      (await admin(principal)).permit();
      return (await q.listWebhookRows(store)).map(q.toWebhookResponse);
    },

    /** Deletes a subscription with its recorded attempts. */
    async adminDeleteWebhook(principal: P, id: string): Promise<void> {
      (await admin(principal)).permit();
      if (!isPlausibleId(id)) throw new NotFound(webhookNotFound);
      await ctx.write(async (tx) => {
        if (!(await w.deleteWebhookRow(tx, id))) throw new NotFound(webhookNotFound);
      });
    },

    /** A subscription's delivery attempts, oldest first, paged (`.../deliveries`). */
    async adminListWebhookDeliveries(
      principal: P,
      id: string,
      query: WebhookDeliveriesPageQuery = {},
    ): Promise<Page<WebhookDelivery>> {
      const token = await admin(principal);
      const { limit, cursor } = parseInput(WebhookDeliveriesPageQuery, query);
      token.permit();
      if (!isPlausibleId(id) || !(await q.findWebhook(store, id))) {
        throw new NotFound(webhookNotFound);
      }
      const rows = await q.listDeliveries(store, id, {
        after: cursor,
        rows: limit === undefined ? undefined : limit + 1,
      });
      return toPage("deliveries", rows, limit, q.deliveryKey, (d) => d);
    },
  };
}
