// `pnpm build`: builds the API and the web app and records what they were built from, so that
// `pnpm start` skips a build whose sources have not changed since.

import { buildApps } from "./lib/builds.js";
import { Children } from "./lib/children.js";
import { StepFailure } from "./lib/progress.js";
import { openState } from "./lib/state.js";

const children = new Children(openState().logs);
try {
  await buildApps(children, { onlyChanged: process.argv.includes("--if-changed"), showOutput: true });
} catch (error) {
  console.error(error instanceof StepFailure ? error.message : error);
  process.exitCode = 1;
}
