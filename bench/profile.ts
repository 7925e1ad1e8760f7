// `pnpm bench:profile <file.cpuprofile> [--top N]`: where a profiled API's CPU went (a bench run with
// `--cpu-prof` writes the profile into bench/results/): self time by area, then by function.
import { readFile } from "node:fs/promises";
import { type CpuProfile, type ProfileShare, summarizeProfile } from "./lib/profile.js";
import { table } from "./lib/report.js";

const [file, ...rest] = process.argv.slice(2);
const topAt = rest.indexOf("--top");
const top = topAt >= 0 ? Number(rest[topAt + 1]) : 25;
if (!file || !Number.isInteger(top) || top < 1) {
  console.error("usage: pnpm bench:profile <file.cpuprofile> [--top N]");
  process.exit(2);
}
const summary = summarizeProfile(JSON.parse(await readFile(file, "utf8")) as CpuProfile, top);
const rows = (shares: ProfileShare[]) =>
  shares.map(({ name, ms, share }) => [name, ms.toFixed(0), `${(share * 100).toFixed(1)}%`]);
console.log(
  `${file}\nbusy ${(summary.busyMs / 1000).toFixed(2)} s, idle ${(summary.idleMs / 1000).toFixed(2)} s\n`,
);
console.log(`${table(["area (self time)", "ms", "of busy"], rows(summary.areas))}\n`);
console.log(table(["function (self time)", "ms", "of busy"], rows(summary.functions)));
