/** The instant of the line being written late, inside `writtenAt`. */
let instant: number | undefined;

/**
 * Runs `write` (a logger call) with every `isoTimestamp` giving `ms` rather than the time now: a
 * line written after the event it records still says when the event happened.
 */
export function writtenAt<T>(ms: number, write: () => T): T {
  instant = ms;
  try {
    return write();
  } finally {
    instant = undefined;
  }
}

/**
 * pino's `timestamp` option: `,"time":"..."` in the form `new Date().toISOString()` writes, with
 * the part up to the second built once a second rather than a `Date` and its string for every
 * line (half of a request line's cost in pino). `now` gives epoch milliseconds (default
 * `Date.now`); inside `writtenAt`, its instant is given instead.
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let second = Number.NaN;
  let prefix = "";
  return () => {
    const ms = instant ?? now();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      // Everything but the milliseconds and the Z (`2026-12-02T16:08:27.`), any year's form.
      prefix = `,"time":"${new Date(s * 1000).toISOString().slice(0, -4)}`;
    }
    const milli = Math.floor(ms - s * 1000);
    return `${prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z"`;
  };
}
