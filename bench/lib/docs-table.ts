import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { repoRoot } from "./api-build.js";
import { columnWidths, integer, type MachineInfo } from "./report.js";
import type { RunSummary } from "./verdict.js";

// `pnpm bench all` writes where the targets stand into docs/benchmarks.md, between two markers, so that
// the table always says what the code measured, on which machine, and when.

export const DOCS_PATH = resolve(repoRoot, "docs/benchmarks.md");
const BEGIN = "<!-- bench:targets:begin (written by `pnpm bench all`; edit bench/, not this table) -->";
const END = "<!-- bench:targets:end -->";

/** One scenario of `bench all`: its summary, or how it ended without one. */
export interface ScenarioRun {
  scenario: string;
  /** The machine's 1-minute load average just before the scenario started. */
  loadAverage: number;
  exitCode: number;
  summary: RunSummary | undefined;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: repoRoot,
      encoding: "utf8",
    }).trim();
    return dirty ? `${sha} with uncommitted changes` : sha;
  } catch {
    return "unknown";
  }
}

/** A Markdown table with its columns padded to their widest cell, as the repository's formatter lays it out. */
function alignedTable(header: string[], rows: string[][]): string[] {
  const widths = columnWidths(header, rows);
  const line = (cells: string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** The generated section: the machine, then a row per target and per reference of every scenario. */
export function renderTargets(runs: readonly ScenarioRun[], machine: MachineInfo, date: Date): string {
  const rows: string[][] = [];
  for (const run of runs) {
    const load = run.loadAverage.toFixed(2);
    const name = `\`pnpm bench ${run.scenario}\``;
    if (!run.summary) {
      rows.push([name, "", "", `did not finish (exit code ${run.exitCode})`, "no", load]);
      continue;
    }
    for (const target of run.summary.targets) {
      rows.push([name, target.name, target.goal, target.measured, target.pass ? "yes" : "**no**", load]);
    }
    for (const problem of run.summary.problems) rows.push([name, "problem", "none", problem, "**no**", load]);
    for (const reference of run.summary.references) {
      rows.push([
        name,
        "reference",
        reference.name,
        `${reference.value >= 100 ? integer(reference.value) : reference.value.toPrecision(3)} ${reference.unit}`,
        "",
        load,
      ]);
    }
  }
  const header = ["Scenario", "Target", "Goal", "Measured", "Met", "Load before"];
  return [
    BEGIN,
    "",
    `Measured by \`pnpm bench all\` on ${date.toISOString().slice(0, 16).replace("T", " ")} UTC, commit ` +
      `${commit()}: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB of memory, Node ` +
      `${machine.node}. "Load before": the machine's 1-minute load average just before the scenario ran.`,
    "",
    ...alignedTable(
      header,
      rows.map((row) => row.map(cell)),
    ),
    "",
    END,
  ].join("\n");
}

/** Replaces what stands between the markers in docs/benchmarks.md. */
export async function rewriteTargets(section: string): Promise<void> {
  const markdown = await readFile(DOCS_PATH, "utf8");
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${DOCS_PATH} has no ${BEGIN} … ${END} section`);
  await writeFile(DOCS_PATH, markdown.slice(0, begin) + section + markdown.slice(end + END.length));
}
