/**
 * pino's `timestamp` option: `,"time":"..."` in the form `new Date().toISOString()` writes, with
 * the part up to the second built once a second rather than a `Date` and its string for every
 * line (half of a request line's cost in pino). `now` gives epoch milliseconds (default
 * `Date.now`).
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let second = Number.NaN;
  let prefix = "";
  return () => {
    const ms = now();
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
