// `pnpm test` for the web app: every test file with node's test runner. The end-to-end files (named
// *e2e*) drive Chromium; where it is missing they are skipped with a message, except in CI (CI=true),
// which installs it and must run them.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromiumPath } from "./support/chromium.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const files = readdirSync(here)
  .filter((file) => file.endsWith(".test.mjs"))
  .sort();
const withoutChromium = !existsSync(chromiumPath) && process.env.CI !== "true";
const run = withoutChromium ? files.filter((file) => !file.includes("e2e")) : files;
if (withoutChromium) {
  console.log(
    `Skipping the end-to-end tests (${files.filter((file) => file.includes("e2e")).join(", ")}): no Chromium at ${chromiumPath}.\n` +
      "Install it to run them (Debian/Ubuntu: apt-get install chromium), or point CHROMIUM_PATH at a Chromium or Chrome.\n",
  );
}
const child = spawn(process.execPath, ["--import", "tsx", "--test", ...run.map((file) => `${here}${file}`)], {
  stdio: "inherit",
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
