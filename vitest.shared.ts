import { defineConfig, type ViteUserConfig } from "vitest/config";

type TestOptions = NonNullable<ViteUserConfig["test"]>;

/**
 * The vitest configuration every package shares: workspace packages resolve to their TypeScript
 * sources (the `@teams/source` condition), so tests never wait for a build, and each run writes a
 * JSON report that `.ci/run` sums into one "N passed, M failed" line.
 */
export function defineTeamsConfig(test: TestOptions = {}) {
  return defineConfig({
    resolve: { conditions: ["@teams/source", "node", "import", "default"] },
    ssr: {
      resolve: {
        // Vitest also hands these to Node as --conditions; "import" there would make pg's
        // require("pg-pool") load pg-pool's ES module build ("Class extends value [object Module]").
        conditions: ["@teams/source", "node"],
        externalConditions: ["@teams/source"],
      },
    },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
      ...test,
    },
  });
}
