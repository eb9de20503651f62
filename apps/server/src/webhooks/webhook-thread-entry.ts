import { parentPort, workerData } from "node:worker_threads";
import {
  type FromThread,
  remoteOutbox,
  type SentDelivery,
  sendableError,
  type ThreadSettings,
  type ToThread,
} from "./outbox-channel.js";
import { startWebhookWorker } from "./webhook-worker.js";

// The webhook thread (see webhook-thread.ts): the delivery worker, its outbox a channel to the
// server's thread.

const port = parentPort;
if (!port) throw new Error("webhook-thread-entry runs as a worker thread");
const { observe, ...settings } = workerData as ThreadSettings;
const post = (message: FromThread) => port.postMessage(message);
const { outbox, receive } = remoteOutbox(port);

// Attempts are told in batches: a message per attempt would cost the server's thread more than
// the attempt's log line.
let told: SentDelivery[] = [];
let telling: NodeJS.Timeout | undefined;
function tell(): void {
  if (telling !== undefined) clearTimeout(telling);
  telling = undefined;
  if (told.length === 0) return;
  post({ type: "deliveries", items: told });
  told = [];
}

const worker = startWebhookWorker({
  ...settings,
  outbox,
  ...(observe && {
    observer: {
      onDelivery(outcome, facts) {
        told.push([outcome, facts]);
        if (told.length >= 100) tell();
        else telling ??= setTimeout(tell, 20);
      },
    },
  }),
  onError: (error) => post({ type: "error", error: sendableError(error) }),
});

port.on("message", (message: ToThread) => {
  if (message.type === "nudge") worker.nudge();
  else if (message.type === "close") {
    void worker.close().then(() => {
      tell();
      post({ type: "closed" });
      port.close();
    });
  } else receive(message);
});
