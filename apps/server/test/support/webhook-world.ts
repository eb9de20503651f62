import { createTeams, type Teams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import type { WebhookWorker } from "../../src/webhooks/webhook-worker.js";
import type { HarnessStore } from "../harness.js";

/**
 * A store of its own with the seeded world (`seedWorld`) and its core, whose every commit of
 * consent records nudges the delivery workers the test adds with `track` (as the server's
 * `afterEvents` does). The workers and then the store are closed after the test, through the
 * suite's `cleanup` (`bothStores`).
 */
export async function webhookWorld(
  open: () => Promise<HarnessStore>,
  cleanup: (step: () => Promise<void>) => void,
): Promise<{ store: HarnessStore; teams: Teams; track: <W extends WebhookWorker>(w: W) => W }> {
  const store = await open();
  const workers: WebhookWorker[] = [];
  const teams = nudgingTeams(store, workers);
  await seedWorld(teams);
  cleanup(async () => {
    for (const w of workers) await w.close();
    await store.close();
  });
  const track = <W extends WebhookWorker>(worker: W): W => {
    workers.push(worker);
    return worker;
  };
  return { store, teams, track };
}

/**
 * The core over `store` (receivers on private addresses allowed) whose every commit of consent
 * records nudges each worker in `workers`, as the server's `afterEvents` nudges its own; the
 * array may be filled later and shared by several cores (instances of one deployment).
 */
export function nudgingTeams(store: HarnessStore, workers: readonly WebhookWorker[]): Teams {
  return createTeams({
    db: store.db,
    kind: store.kind,
    webhooks: { allowPrivate: true },
    afterEvents: () => {
      for (const w of workers) w.nudge();
    },
  });
}
