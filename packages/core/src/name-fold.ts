import { FULL_FOLDINGS, SIMPLE_FOLDING_RUNS } from "./case-folding-table.js";

// DESIGN §4: the `name` filter ignores case as Unicode's full case folding does (Python's
// `str.casefold()`, which the reference's SDK applies), after NFKC, so "ß" finds "SS", "ﬁ" finds
// "fi" and "Ａ" finds "a". The stores compare bytes, so the folded form is computed here and stored
// beside the name (migration 6): both stores then answer the same.

/** Each code point that folds, with what it folds to (CaseFolding.txt's statuses C and F). */
const FOLDINGS: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  for (const run of SIMPLE_FOLDING_RUNS.split(",")) {
    const [, start, sign, delta, count, step] = /^(\w+)([+-])(\w+)(?:\*(\w+))?(?:\/(\w+))?$/.exec(
      run,
    ) as RegExpExecArray;
    const from = Number.parseInt(start as string, 16);
    const by = Number.parseInt(delta as string, 16) * (sign === "-" ? -1 : 1);
    const gap = step ? Number.parseInt(step, 16) : 1;
    const n = count ? Number.parseInt(count, 16) : 1;
    for (let i = 0; i < n; i++) {
      const code = from + i * gap;
      map.set(code, String.fromCodePoint(code + by));
    }
  }
  for (const entry of FULL_FOLDINGS.split(",")) {
    const [from, to] = entry.split(":") as [string, string];
    const codes = to.split(".").map((c) => Number.parseInt(c, 16));
    map.set(Number.parseInt(from, 16), String.fromCodePoint(...codes));
  }
  return map;
})();

/**
 * The key two names match by when they differ only in case or compatibility form: NFKC, then full
 * case folding, then NFKC again (folding can leave text that is not NFKC: "ǰ" folds to "j" and a
 * combining caron), so that folding a folded name changes nothing. Turkic dotless-i rules (status
 * T) are not applied: a name has no locale.
 */
export function foldName(text: string): string {
  let folded = "";
  for (const char of text.normalize("NFKC")) {
    folded += FOLDINGS.get(char.codePointAt(0) as number) ?? char;
  }
  return folded.normalize("NFKC");
}
