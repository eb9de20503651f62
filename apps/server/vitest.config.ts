import { defineTeamsConfig } from "../../vitest.shared.js";

// Process tests start servers and CLIs as a user would: generous timeouts, never asserted on.
export default defineTeamsConfig({ testTimeout: 30_000 });
