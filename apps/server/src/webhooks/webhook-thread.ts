import { randomUUID } from "node:crypto";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  answerCall,
  type FromThread,
  receivedError,
  type ThreadSettings,
  type ToThread,
} from "./outbox-channel.js";
import type { DeliveryOutbox, WebhookWorker, WebhookWorkerOptions } from "./webhook-worker.js";

export interface WebhookThreadOptions
  extends Omit<WebhookWorkerOptions, "outbox" | "owner" | "random"> {
  /** The server's outbox, which the thread's calls are answered from. */
  outbox: DeliveryOutbox;
  /** How long after an unexpected exit of the thread a new one starts, in ms. Default 1000. */
  restartMs?: number;
}

/**
 * Runs the delivery worker (webhook-worker.ts) in a worker thread of its own, so that a receiver's
 * events go out as fast as it answers however busy the server's event loop is (with the worker in
 * the server's thread, each answer waited for a turn of the loop under load, and deliveries fell
 * seconds behind the writes). The thread reads and writes the outbox through the server's thread
 * (outbox-channel.ts); attempts and errors are told back here for the metrics and the log. A thread
 * that dies is started again after `restartMs`, with the same lease owner, so it takes up its own
 * leases at once.
 */
export function startWebhookThread(options: WebhookThreadOptions): WebhookWorker {
  const { outbox, observer, onError = () => {}, restartMs = 1000, ...rest } = options;
  const settings: ThreadSettings = {
    ...rest,
    owner: randomUUID(),
    observe: observer !== undefined,
  };
  let closing = false;
  let restart: NodeJS.Timeout | undefined;
  // Calls being answered: close() lets them end before the store is closed after it.
  const answering = new Set<Promise<void>>();
  let nudging = false;

  function start(): Worker {
    const started = spawnThread(settings);
    // The server's listener keeps the process alive, not its webhook thread.
    started.unref();
    started.on("message", (message: FromThread) => {
      if (message.type === "call") {
        const answer = answerCall(started, outbox, message);
        answering.add(answer);
        void answer.finally(() => answering.delete(answer));
      } else if (message.type === "deliveries") {
        for (const [outcome, facts] of message.items) observer?.onDelivery(outcome, facts);
      } else if (message.type === "error") onError(receivedError(message.error));
    });
    started.on("error", onError);
    started.on("exit", () => {
      if (closing || thread !== started) return;
      restart = setTimeout(() => {
        restart = undefined;
        if (!closing) thread = start();
      }, restartMs);
      restart.unref();
    });
    return started;
  }
  let thread = start();

  const post = (message: ToThread) => thread.postMessage(message);
  return {
    nudge() {
      // The commits of one turn (a group commit ends many) make one message.
      if (nudging || closing) return;
      nudging = true;
      setImmediate(() => {
        nudging = false;
        post({ type: "nudge" });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      if (restart !== undefined) clearTimeout(restart);
      const last = thread;
      await new Promise<void>((resolve) => {
        // The thread's runs end after the attempt each is making; one stuck past any timeout is cut.
        const limit = setTimeout(done, options.timeoutMs + 5000);
        function done() {
          clearTimeout(limit);
          resolve();
        }
        last.on("message", (message: FromThread) => {
          if (message.type === "closed") done();
        });
        last.once("exit", done);
        last.postMessage({ type: "close" } satisfies ToThread);
      });
      await last.terminate();
      await Promise.allSettled([...answering]);
    },
  };
}

/**
 * Starts the thread's entry beside this file: the built one, or from the sources (tests, `pnpm
 * start`), where the thread registers tsx first and resolves the workspace's packages to their
 * sources, as the server's own process does.
 */
function spawnThread(workerData: ThreadSettings): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./webhook-thread-entry${extension}`, import.meta.url);
  if (extension !== ".ts") return new Worker(entry, { workerData });
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData, execArgv: ["--conditions=@teams/source"] });
}
