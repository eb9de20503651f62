import {
  Counter,
  type CounterConfiguration,
  Histogram,
  type HistogramConfiguration,
} from "prom-client";

/**
 * Observations made on every request, handed to prom-client in batches rather than one call each:
 * a prom-client `observe` or `inc` checks its labels and builds their key string every call, and
 * on the request path, between the store and the router, that cost 5 to 10 µs a request where the
 * same calls in a loop cost under 1 (issue 18's bench).
 *
 * Contract: every observation is applied, in the order made, before the metric is next read: the
 * metric's `collect` hook (which prom-client runs before each scrape) applies what is pending, so
 * a scrape always counts every request answered before it. At most `HELD` observations wait
 * between reads. Label objects passed in are kept until applied: pass objects never changed
 * afterwards (the callers reuse one per label set).
 */

/** The most observations held before they are applied (so memory stays bounded unscraped). */
const HELD = 256;

/** A histogram's observations by label set, applied in batches and at each read. */
export class DeferredHistogram<L extends string> {
  readonly #held: Partial<Record<L, string | number>>[] = [];
  readonly #values = new Float64Array(HELD);

  readonly histogram: Histogram<L>;

  /** Creates the histogram (registered as `configuration` says), applying what is held at each read. */
  constructor(configuration: Omit<HistogramConfiguration<L>, "collect">) {
    this.histogram = new Histogram({ ...configuration, collect: () => this.apply() });
  }

  /** Records `value` with `labels` (an object not changed afterwards). */
  observe(labels: Partial<Record<L, string | number>>, value: number): void {
    this.#values[this.#held.length] = value;
    this.#held.push(labels);
    if (this.#held.length >= HELD) this.apply();
  }

  /** Applies what is held (the histogram's `collect` hook calls it). */
  apply(): void {
    const held = this.#held;
    for (let i = 0; i < held.length; i++) {
      this.histogram.observe(held[i] as Partial<Record<L, string | number>>, this.#values[i] ?? 0);
    }
    held.length = 0;
  }
}

/** A counter of one label: counts kept by value, added at each read. */
export class DeferredCounter<V extends string> {
  readonly #counts = new Map<V, number>();
  readonly counter: Counter<string>;

  /**
   * Creates the counter (`configuration.labelNames` must be `[label]`), adding the counts kept at
   * each read, with every value of `zeros` shown from the start at 0.
   */
  constructor(
    configuration: Omit<CounterConfiguration<string>, "collect">,
    readonly label: string,
    zeros: readonly V[] = [],
  ) {
    this.counter = new Counter({ ...configuration, collect: () => this.apply() });
    for (const value of zeros) this.counter.inc({ [label]: value }, 0);
  }

  inc(value: V): void {
    this.#counts.set(value, (this.#counts.get(value) ?? 0) + 1);
  }

  /** Adds the counts kept since the last read (the counter's `collect` hook calls it). */
  apply(): void {
    for (const [value, count] of this.#counts) {
      this.counter.inc({ [this.label]: value }, count);
    }
    this.#counts.clear();
  }
}
