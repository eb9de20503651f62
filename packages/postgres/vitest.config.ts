import { defineTeamsConfig } from "../../vitest.shared.js";

// The global setup asks once whether PostgreSQL answers, and says so plainly when it does not.
export default defineTeamsConfig({ globalSetup: ["test/global-setup.ts"] });
