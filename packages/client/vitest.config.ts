import { defineTeamsConfig } from "../../vitest.shared.js";

// Type tests: a wrong call of the client must fail to compile.
export default defineTeamsConfig({
  typecheck: { enabled: true, include: ["src/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
});
