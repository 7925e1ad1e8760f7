// Validates docker-compose.yml with whichever Compose the machine has (no Docker engine is needed).
import { spawnSync } from "node:child_process";

const candidates: [string, string[]][] = [
  ["docker", ["compose", "config", "--quiet"]],
  ["docker-compose", ["config", "--quiet"]],
];
for (const [command, args] of candidates) {
  const probe = spawnSync(command, [...args.slice(0, -2), "version"], { stdio: "ignore" });
  if (probe.status !== 0) continue;
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`docker-compose.yml is valid (${command} ${args.join(" ")})`);
  process.exit(0);
}
console.error("No Docker Compose found to validate docker-compose.yml (apt-get install docker-compose).");
process.exit(1);
