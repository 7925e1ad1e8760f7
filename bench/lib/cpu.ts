import { readFileSync } from "node:fs";

// CPU accounting from /proc (Linux): on a shared machine it tells whether the API, the load generator
// or something else had the cores during a phase. Elsewhere these return undefined.

// /proc counts CPU time in USER_HZ ticks, 100 a second on Linux.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) that process `pid` has used so far, in seconds. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name (2nd field) may contain spaces: the fields after its ")" are fixed.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time of process `pid` and its live descendants, in seconds: the API with API_WORKERS > 1 is a
 * primary and its workers.
 */
export function processTreeCpuSeconds(pid: number | undefined): number | undefined {
  const own = processCpuSeconds(pid);
  if (pid === undefined || own === undefined) return own;
  return childrenOf(pid).reduce((sum, child) => sum + (processTreeCpuSeconds(child) ?? 0), own);
}

/** CPU time all processes on the machine have used so far (every state but idle and iowait), in seconds. */
export function machineCpuSeconds(): number | undefined {
  try {
    const [, ...counters] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]?.trim().split(/\s+/) ?? [];
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const [user, nice, system, , , irq, softirq, steal] = counters.map(Number);
    const ticks = [user, nice, system, irq, softirq, steal].reduce<number>(
      (sum, value) => sum + (value ?? 0),
      0,
    );
    return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
