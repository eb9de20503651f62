// `@teams/core/webhook-delivery`: what a delivery worker needs of the core (the target check
// and the delivery rules), and nothing that loads the store, the schemas or the use cases. The
// server's webhook thread imports only this, so its isolate stays small (the whole of the core
// cost it about 28 MB of RSS). Each name is the same one `@teams/core` exports.

export { isDelivered, retryDelayMs, wantsEvent } from "./policy/webhook-policy.js";
export { checkWebhookTarget, resolveHost, type WebhookTargets } from "./webhook-target.js";
