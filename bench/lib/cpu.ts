import { readFileSync } from "node:fs";

// CPU accounting from /proc (Linux): on a shared machine it tells whether the API, the load generator
// or something else had the cores during a phase. Elsewhere these return undefined.

// /proc counts CPU time in USER_HZ ticks, 100 a second on Linux.
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (the 2nd field, which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ");
  } catch {
    return undefined;
  }
}

/** Ticks of fields `indexes` summed, in seconds; undefined when the process is gone. */
function seconds(pid: number, indexes: readonly number[]): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  const ticks = indexes.reduce((sum, index) => sum + Number(fields[index]), 0);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
}

// Indexes after the command name: utime, stime, then cutime, cstime (children the process has reaped).
const OWN = [11, 12];
const OWN_AND_REAPED = [11, 12, 13, 14];

/** CPU time (user + system) that process `pid` has used so far, in seconds. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : seconds(pid, OWN);
}

/** The parent of process `pid` (e.g. a Postgres backend's postmaster). */
export function parentPid(pid: number): number | undefined {
  const parent = Number(statFields(pid)?.[1]);
  return Number.isInteger(parent) && parent > 0 ? parent : undefined;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU time of process `pid`, its live descendants and the children they reaped, in seconds: it only grows,
 * so a child that exits between two readings (a Postgres backend, an autovacuum worker, an API worker)
 * still counts. The API with API_WORKERS > 1 is a primary and its workers; Postgres is its postmaster.
 */
export function processTreeCpuSeconds(pid: number | undefined): number | undefined {
  const own = pid === undefined ? undefined : seconds(pid, OWN_AND_REAPED);
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
