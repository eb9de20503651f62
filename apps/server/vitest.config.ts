import { defineConfig } from "vitest/config";

// Resolve workspace packages to their TypeScript sources so tests never wait for a build.
const conditions = ["@teams/source", "node", "import", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@teams/source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Process tests start servers and CLIs as a user would; generous, never asserted on.
    testTimeout: 30_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
