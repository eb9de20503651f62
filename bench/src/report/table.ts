/** Formats rows as a plain-text table that is also Markdown. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export const fmt = {
  rate: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-"),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "-"),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "-"),
  us: (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-"),
  mb: (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} MB` : "-"),
};
