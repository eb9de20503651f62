/** One thing `/readyz` asks before it says the instance can serve: a name and a probe. */
export interface ReadinessCheck {
  /** The key it is reported under, e.g. `database`. */
  name: string;
  /** Resolves to undefined when fine, to a reason when the instance should not get traffic. */
  probe(): Promise<string | undefined>;
  /** The reason when the probe itself throws (the store cannot be asked). */
  failure: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** The first failing check's reason, for the 503's `detail`. */
  reason: string | undefined;
  checks: Record<string, "ok" | "failing">;
}

/**
 * Whether the webhook outbox is stuck: its oldest undelivered entry is older than `maxAgeSeconds`
 * (deliveries are not keeping up, or not running). `null` is an empty outbox.
 */
export function outboxStuck(ageSeconds: number | null, maxAgeSeconds: number): string | undefined {
  if (ageSeconds === null || ageSeconds <= maxAgeSeconds) return undefined;
  return `The webhook outbox's oldest delivery has waited ${Math.round(ageSeconds)} s (more than ${maxAgeSeconds} s)`;
}

/** The checks of `/readyz`: the store answers, and, when there is an outbox, it is not stuck. */
export function readinessChecks(options: {
  ping(): Promise<void>;
  outboxAge?: (() => Promise<number | null>) | undefined;
  outboxMaxAgeSeconds: number;
}): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    {
      name: "database",
      failure: "The store is not answering",
      async probe() {
        await options.ping();
        return undefined;
      },
    },
  ];
  const { outboxAge } = options;
  if (outboxAge) {
    checks.push({
      name: "webhook_outbox",
      failure: "The webhook outbox cannot be read",
      probe: async () => outboxStuck(await outboxAge(), options.outboxMaxAgeSeconds),
    });
  }
  return checks;
}

/** Runs every check at once; a check that throws is failing with its `failure`. */
export async function runReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    checks.map((check) =>
      check.probe().then(
        (reason) => reason,
        () => check.failure,
      ),
    ),
  );
  const report: ReadinessReport = { ready: true, reason: undefined, checks: {} };
  checks.forEach((check, i) => {
    const reason = outcomes[i];
    report.checks[check.name] = reason === undefined ? "ok" : "failing";
    if (reason !== undefined && report.ready) {
      report.ready = false;
      report.reason = reason;
    }
  });
  return report;
}
