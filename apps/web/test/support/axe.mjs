// axe-core in the browser tests: every page checked must have no serious or critical violation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Injected into each page checked: axe-core itself, not a wrapper that needs a newer Node.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page; fails listing every serious or critical violation. */
export async function assertNoSeriousViolations(page, what) {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // axe is the global the injected script defines.
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
      }));
  });
  assert.deepEqual(violations, [], `axe-core found serious or critical violations on the ${what}`);
}
