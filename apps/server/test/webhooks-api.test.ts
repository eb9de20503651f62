import { afterEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { TEST_SECRET } from "./support/webhook-receiver.js";

// The webhook subscriptions of the admin API (issue 16 point 4), over REST and tRPC.

const opened: Harness[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await h.close();
});
async function open(allowPrivate: boolean): Promise<Harness> {
  const h = await harness({ teams: { webhooks: { allowPrivate } } });
  opened.push(h);
  return h;
}
const admin = () => bearer({ sub: "platform", scope: "admin" });
const hookUrl = "http://127.0.0.1:9/hook";

describe("webhook subscriptions", () => {
  it("are put, read (never the secret), listed and deleted by id", async () => {
    const h = await open(true);
    const headers = await admin();
    const put = await h.request("/api/v1/admin/webhooks/crm", {
      method: "PUT",
      headers,
      json: { url: hookUrl, secret: TEST_SECRET, event_types: ["authorization.revoked"] },
    });
    expect(put.status).toBe(200);
    const body = await put.json();
    expect(body).toMatchObject({
      id: "crm",
      url: hookUrl,
      event_types: ["authorization.revoked"],
      failed_attempts: 0,
      next_attempt_at: null,
    });
    expect(JSON.stringify(body)).not.toContain(TEST_SECRET);
    expect(body.secret_hint).toBe(`${TEST_SECRET.slice(0, 10)}…`);
    // Idempotent: the same put again is the same subscription; omitting event_types means all.
    const again = await h.request("/api/v1/admin/webhooks/crm", {
      method: "PUT",
      headers,
      json: { url: hookUrl, secret: TEST_SECRET },
    });
    expect((await again.json()).event_types).toBeNull();
    const got = await h.request("/api/v1/admin/webhooks/crm", { headers });
    expect(await got.json()).toMatchObject({
      id: "crm",
      event_types: null,
      created_at: body.created_at,
    });
    const list = await h.request("/api/v1/admin/webhooks", { headers });
    expect((await list.json()).map((w: { id: string }) => w.id)).toEqual(["crm"]);
    const deliveries = await h.request("/api/v1/admin/webhooks/crm/deliveries?limit=10", {
      headers,
    });
    expect(deliveries.status).toBe(200);
    expect(await deliveries.json()).toEqual([]);
    // Over tRPC too.
    const trpc = await h.request(
      `/trpc/admin.webhook?input=${encodeURIComponent(JSON.stringify({ webhook_id: "crm" }))}`,
      { headers },
    );
    expect((await trpc.json()).result.data.id).toBe("crm");
    const deleted = await h.request("/api/v1/admin/webhooks/crm", { method: "DELETE", headers });
    expect(deleted.status).toBe(204);
    for (const path of ["/api/v1/admin/webhooks/crm", "/api/v1/admin/webhooks/crm/deliveries"]) {
      const gone = await h.request(path, { headers });
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({ detail: "Webhook not found" });
    }
  });

  it("need the admin scope", async () => {
    const h = await open(true);
    const res = await h.request("/api/v1/admin/webhooks/crm", {
      method: "PUT",
      headers: await bearer({ sub: "coach" }),
      json: { url: hookUrl, secret: TEST_SECRET },
    });
    expect(res.status).toBe(403);
    expect((await h.request("/api/v1/admin/webhooks")).status).toBe(401);
  });

  it.each([
    ["a secret without whsec_", { url: hookUrl, secret: "abc" }, ["body", "secret"]],
    ["a short secret", { url: hookUrl, secret: "whsec_AAAA" }, ["body", "secret"]],
    ["no URL", { secret: TEST_SECRET }, ["body", "url"]],
    [
      "a URL that is not http(s)",
      { url: "ftp://example.com/x", secret: TEST_SECRET },
      ["body", "url"],
    ],
    [
      "an unknown event type",
      { url: hookUrl, secret: TEST_SECRET, event_types: ["team.deleted"] },
      ["body", "event_types", 0],
    ],
  ])("refuse %s (422), creating nothing", async (_case, json, loc) => {
    const h = await open(true);
    const headers = await admin();
    const res = await h.request("/api/v1/admin/webhooks/crm", { method: "PUT", headers, json });
    expect(res.status).toBe(422);
    expect((await res.json()).detail[0].loc).toEqual(loc);
    expect((await h.request("/api/v1/admin/webhooks/crm", { headers })).status).toBe(404);
  });

  it.each([
    "http://127.0.0.1:9/hook",
    "http://localhost:9/hook",
    "http://[::1]:9/hook",
    "http://[::ffff:127.0.0.1]:9/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data",
  ])("refuse the private receiver %s without TEAMS_WEBHOOKS_ALLOW_PRIVATE (422)", async (url) => {
    const h = await open(false);
    const headers = await admin();
    const res = await h.request("/api/v1/admin/webhooks/crm", {
      method: "PUT",
      headers,
      json: { url, secret: TEST_SECRET },
    });
    expect(res.status).toBe(422);
    const [issue] = (await res.json()).detail;
    expect(issue.loc).toEqual(["body", "url"]);
    expect(issue.msg).toMatch(/loopback, private or link-local/);
    expect((await h.request("/api/v1/admin/webhooks/crm", { headers })).status).toBe(404);
  });
});
