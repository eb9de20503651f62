import { defineTeamsConfig } from "../../vitest.shared.js";

export default defineTeamsConfig();
