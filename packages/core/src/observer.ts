import type { ChangeCause } from "./policy/consent-actor.js";

/** The type of a consent log record (DESIGN §7). */
export type ConsentChangeType =
  | "authorization.granted"
  | "authorization.updated"
  | "authorization.revoked";

/**
 * Why a write transaction gave up: `contention`, it lost its race (serialization failure,
 * deadlock) on every one of its attempts; `unavailable`, the store could not serve it (outage,
 * timeout, busy: the caller gets `Unavailable`); `unexpected`, any other error that is not one of
 * the core's typed answers (a bug, or a broken database).
 */
export type StoreFailure = "contention" | "unavailable" | "unexpected";

/**
 * What the core reports as it works, for metrics and the like (the server's Prometheus module
 * implements it). Every method is optional, called synchronously, and must not throw; the core
 * never waits for it. Default: nothing is reported.
 */
export interface TeamsObserver {
  /**
   * A committed write appended `count` consent log records of `type` and `cause` (one per
   * authorization it touched). Called after the commit only: a transaction that rolled back, or
   * an attempt that was run again, reports nothing.
   */
  consentChanged?(type: ConsentChangeType, cause: ChangeCause, count: number): void;
  /** A write transaction lost a race (`attempt`, from 1, is the attempt that lost) and runs again. */
  storeRetried?(attempt: number): void;
  /** A write transaction failed for the store's sake (see `StoreFailure`); the caller gets the error. */
  storeFailed?(failure: StoreFailure): void;
}

/** Consent records appended in one transaction, reported once it commits. */
export class ConsentTally {
  readonly #counts = new Map<string, { type: ConsentChangeType; cause: ChangeCause; n: number }>();

  add(type: ConsentChangeType, cause: ChangeCause, count: number): void {
    if (count <= 0) return;
    const key = `${type} ${cause}`;
    const entry = this.#counts.get(key);
    if (entry) entry.n += count;
    else this.#counts.set(key, { type, cause, n: count });
  }

  /** Whether any record was appended (each one is also a webhook event in the outbox). */
  get empty(): boolean {
    return this.#counts.size === 0;
  }

  report(observer: TeamsObserver): void {
    for (const { type, cause, n } of this.#counts.values())
      observer.consentChanged?.(type, cause, n);
  }
}
