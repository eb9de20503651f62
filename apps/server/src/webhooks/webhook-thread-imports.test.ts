import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The webhook thread is a second V8 isolate in every server: whatever its modules import, it
// loads again. The whole of @teams/core cost it 35 MB of RSS where the delivery rules alone cost
// 14 (the large bench's peak went past its 200 MB goal), so the thread's modules take values
// from `@teams/core/webhook-delivery` only; types from anywhere (they are erased).

const here = dirname(fileURLToPath(import.meta.url));

/** The specifiers a module imports values from (type-only imports left out), and its relative ones. */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
    } else if (statement.isTypeOnly) continue;
    found.push(specifier.text);
  }
  return found;
}

/** Every module the thread's entry loads, transitively within this package, with its imports. */
function threadGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [join(here, "webhook-thread-entry.ts")];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue;
    const imports = valueImports(file);
    graph.set(file, imports);
    for (const specifier of imports) {
      if (specifier.startsWith("."))
        pending.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
    }
  }
  return graph;
}

describe("the webhook thread's modules", () => {
  it("load nothing of @teams/core but its webhook-delivery entry", () => {
    const graph = threadGraph();
    expect([...graph.keys()].map((f) => f.slice(here.length + 1)).sort()).toEqual([
      "outbox-channel.ts",
      "webhook-sender.ts",
      "webhook-thread-entry.ts",
      "webhook-worker.ts",
    ]);
    const fromCore = [...graph.values()].flat().filter((s) => s.startsWith("@teams/"));
    expect(new Set(fromCore)).toEqual(new Set(["@teams/core/webhook-delivery"]));
  });
});
