import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { answerCall, type FromThread, remoteOutbox, type ToThread } from "./outbox-channel.js";
import type { DeliveryOutbox } from "./webhook-worker.js";

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** The thread's end of a channel whose other end answers from `outbox`, as the server's thread does. */
function connect(outbox: Partial<DeliveryOutbox>) {
  const channel = new MessageChannel();
  channels.push(channel);
  const { port1: thread, port2: server } = channel;
  server.on("message", (message: FromThread) => {
    if (message.type === "call") void answerCall(server, outbox as DeliveryOutbox, message);
  });
  const remote = remoteOutbox(thread);
  thread.on("message", (message: ToThread) => remote.receive(message));
  return remote.outbox;
}

describe("the outbox over the channel", () => {
  it("answers each call with what the server's outbox answered, arguments as given", async () => {
    const seen: unknown[] = [];
    const outbox = connect({
      pending: async (position, limit) => {
        seen.push([position, limit]);
        return [{ position: { tx: "7", id: "3" }, eventId: "3", type: "t", payload: "{}" }];
      },
      settle: async (id, owner) => id === "hook" && owner === "me",
    });
    const [rows, held, other] = await Promise.all([
      outbox.pending({ tx: "7", id: "2" }, 5),
      outbox.settle("hook", "me", { attempts: [], failedAttempts: 0, leaseUntil: null }),
      outbox.settle("hook", "someone else", { attempts: [], failedAttempts: 0, leaseUntil: null }),
    ]);
    expect(seen).toEqual([[{ tx: "7", id: "2" }, 5]]);
    expect(rows).toEqual([
      { position: { tx: "7", id: "3" }, eventId: "3", type: "t", payload: "{}" },
    ]);
    expect([held, other]).toEqual([true, false]);
  });

  it("fails a call whose answer failed, with the error's name and message", async () => {
    class Unavailable extends Error {
      override readonly name = "Unavailable";
    }
    const outbox = connect({
      due: async () => {
        throw new Unavailable("The database is busy; try again");
      },
    });
    const failure = await outbox.due("me").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      name: "Unavailable",
      message: "The database is busy; try again",
    });
  });

  it("refuses a call that is not one of the outbox's", async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const answers: ToThread[] = [];
    channel.port1.on("message", (m: ToThread) => answers.push(m));
    const outbox = { outboxAge: async () => 1 } as unknown as DeliveryOutbox;
    await answerCall(channel.port2, outbox, {
      type: "call",
      id: 1,
      method: "outboxAge" as "due",
      args: [],
    });
    await expect.poll(() => answers.length).toBe(1);
    expect(answers[0]).toMatchObject({
      type: "failed",
      id: 1,
      error: { message: "no outbox call outboxAge" },
    });
  });
});
