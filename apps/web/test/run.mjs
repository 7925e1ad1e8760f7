// `pnpm test` for the web app: every test file with node's test runner. The end-to-end files (named
// *e2e*) drive Chromium; where it is missing they are skipped with a message, except in CI (CI=true),
// which installs it and must run them.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromiumPath } from "./support/chromium.mjs";
import { createE2eTemplate, dropE2eTemplate, E2E_TEMPLATE_ENV } from "./support/stack.mjs";

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
// The end-to-end files clone one migrated and seeded database instead of each seeding its own, and run
// two at a time: each spends most of its time waiting on its own stack and browser.
const template = run.some((file) => file.includes("e2e")) ? `frontrow_e2e_template_${process.pid}` : null;
if (template) await createE2eTemplate(template);
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...run.map((file) => `${here}${file}`)],
  {
    stdio: "inherit",
    env: template ? { ...process.env, [E2E_TEMPLATE_ENV]: template } : process.env,
  },
);
child.on("exit", (code, signal) => {
  if (template) dropE2eTemplate(template);
  process.exit(code ?? (signal ? 1 : 0));
});
