import { mkdir, writeFile } from "node:fs/promises";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "./api-build.js";
import type { StepCost } from "./meter.js";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when asked: other work on the machine skews every figure. */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export const integer = (value: number) => Math.round(value).toLocaleString("en-US");

export function milliseconds(value: number): string {
  return value >= 100 ? integer(value) : value.toFixed(value >= 10 ? 1 : 2);
}

export function bytes(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(2)} MB`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(1)} kB`;
  return `${value} B`;
}

/** Each column's width: its widest cell, the header's included. */
export function columnWidths(header: string[], rows: string[][]): number[] {
  return header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
}

/** A plain-text table: the first `leftAligned` columns (text) left-aligned, the others (figures) right-aligned. */
export function table(header: string[], rows: string[][], leftAligned = 1): string {
  const widths = columnWidths(header, rows);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < leftAligned ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

export const resultsDir = resolve(repoRoot, "bench/results");

/** A timestamp fit for a file name: 2026-11-24T18-56-42Z. */
export function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replaceAll(":", "-")
    .replace(/\.\d+Z$/, "Z");
}

/** Writes `results` as JSON to bench/results/<fileName> and returns its path. */
export async function writeResults(fileName: string, results: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = resolve(resultsDir, fileName);
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}

/** CPU time per operation: microseconds below a tenth of a millisecond, else milliseconds. */
export function perOperation(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "?";
  return ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

export const cores = (value: number | undefined) => (value === undefined ? "?" : value.toFixed(2));

const loopMs = (value: number | undefined) => (value === undefined ? "?" : milliseconds(value));

/** The columns every step's table ends with: CPU per operation by process, the rest, the API's loop. */
export const costHeader = ["CPU/op: API", "pg", "redis", "gen", "other cores", "loop p99 ms", "loop max ms"];

export function costCells(cost: StepCost): string[] {
  const { msPerOperation: op, cores: busy, eventLoop } = cost;
  return [
    cost.served ? perOperation(op.server) : "–",
    perOperation(op.postgres),
    perOperation(op.redis),
    perOperation(op.generator),
    cores(busy.other),
    eventLoop ? loopMs(eventLoop.p99Ms) : "–",
    eventLoop ? loopMs(eventLoop.maxMs) : "–",
  ];
}

/** The same, on one line, for a step's progress output. */
export function costLine(cost: StepCost, server = "API"): string {
  const { msPerOperation: op, eventLoop } = cost;
  const loop = eventLoop
    ? `; ${server} event loop p99 ${loopMs(eventLoop.p99Ms)} ms, max ${loopMs(eventLoop.maxMs)} ms` +
      (eventLoop.processes > 1 ? ` (worst of ${eventLoop.processes} processes)` : "")
    : "";
  const served = cost.served ? `${server} ${perOperation(op.server)}, ` : "";
  return (
    `CPU per op: ${served}pg ${perOperation(op.postgres)}, ` +
    `redis ${perOperation(op.redis)}, gen ${perOperation(op.generator)} (other ${cores(cost.cores.other)} cores)${loop}`
  );
}

/** A step's verdict cell: "–" for a step that is judged by no target (a reference). */
export const verdictCell = (pass: boolean | undefined) => (pass === undefined ? "–" : pass ? "PASS" : "FAIL");

/** `figure` over a reference's, e.g. "0.16 × { __typename }". */
export function ratioText(ratio: number, name: string): string {
  return `${Number.isFinite(ratio) ? ratio.toFixed(ratio < 10 ? 2 : 1) : "?"} × ${name}`;
}

/** How to read the cost columns, printed under every scenario's tables. */
export function costLegend(machine: MachineInfo, generator = "this process, the load generator"): string {
  return (
    `CPU per operation by process: the API (all its processes), Postgres (the postmaster and all it started, ` +
    `exited ones included, less other databases' live backends: on a shared machine, other databases' ` +
    `short-lived connections still count, so "pg" is an upper bound), Redis (its INFO cpu), "gen" (${generator}); "other cores" is the rest of the ` +
    `${machine.cpus}-core machine (other work: high means skewed figures). "loop": the API's event-loop ` +
    "delay during the step (p99, max; frontrow_event_loop_delay_*, the worst process)."
  );
}
