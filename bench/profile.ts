// `pnpm bench:profile <file.cpuprofile> [--top N]`: where a profiled API's CPU went (a bench run with
// `--cpu-prof` writes the profile into bench/results/): self time by area, then by function.
import { readFile } from "node:fs/promises";
import { type CpuProfile, type ProfileShare, summarizeProfile } from "./lib/profile.js";
import { table } from "./lib/report.js";

const USAGE = "usage: pnpm bench:profile <file.cpuprofile> [--top N]";
const [file, ...rest] = process.argv.slice(2);
if (file === "--help" || file === "-h") {
  console.log(USAGE);
  process.exit(0);
}
const topAt = rest.indexOf("--top");
const top = topAt >= 0 ? Number(rest[topAt + 1]) : 25;
if (!file || !Number.isInteger(top) || top < 1) {
  console.error(USAGE);
  process.exit(2);
}
const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
  console.error(`${file}: ${error.code === "ENOENT" ? "no such file" : error.message}\n${USAGE}`);
  process.exit(2);
});
const summary = summarizeProfile(JSON.parse(text) as CpuProfile, top);
const rows = (shares: ProfileShare[]) =>
  shares.map(({ name, ms, share }) => [name, ms.toFixed(0), `${(share * 100).toFixed(1)}%`]);
console.log(
  `${file}\nbusy ${(summary.busyMs / 1000).toFixed(2)} s, idle ${(summary.idleMs / 1000).toFixed(2)} s\n`,
);
console.log(`${table(["area (self time)", "ms", "of busy"], rows(summary.areas))}\n`);
console.log(table(["function (self time)", "ms", "of busy"], rows(summary.functions)));
