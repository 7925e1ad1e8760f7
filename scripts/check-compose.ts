// `pnpm compose:check`: validates docker-compose.yml without Docker (scripts/lib/compose.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { composeProblems } from "./lib/compose.js";
import { repoRoot } from "./lib/state.js";

const problems = composeProblems(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"));
if (problems.length > 0) {
  console.error(`docker-compose.yml is not valid:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  process.exit(1);
}
console.log("docker-compose.yml is valid (Compose Specification schema and references)");
