import { writeFile } from "node:fs/promises";
import { type StepCost, serverAndPostgresMs } from "./meter.js";
import { type Reference, ratio } from "./reference.js";
import {
  fileStamp,
  integer,
  type MachineInfo,
  perOperation,
  ratioText,
  table,
  writeResults,
} from "./report.js";

// How a run ends: its targets judged, its figures written, its exit code. A target that names a rate is
// judged at that rate and at every step below it, never on the highest step that passed alone: a run in
// which 1,500/s failed has not shown that 2,000/s holds, even if 2,000/s passed.

export interface Target {
  name: string;
  goal: string;
  measured: string;
  pass: boolean;
}

/** A step of a scenario that runs at increasing rates (or subscriber counts). */
export interface RatedStep {
  rate: number;
  pass: boolean;
}

/**
 * Whether a target naming `rate` holds: a step ran at that rate (or above it, when the rate is a floor the
 * steps reach) and passed, and so did every step below it. `why` says what failed.
 */
export function heldAtRateAndBelow(
  steps: readonly RatedStep[],
  rate: number,
): { pass: boolean; why: string } {
  const below = steps.filter((step) => step.rate < rate);
  const at = steps.filter((step) => step.rate >= rate).sort((a, b) => a.rate - b.rate)[0];
  const failedBelow = below.filter((step) => !step.pass).map((step) => step.rate);
  const failures = [
    ...(at ? (at.pass ? [] : [`the step at ${at.rate}/s failed`]) : [`no step at ${rate}/s ran`]),
    ...(failedBelow.length ? [`steps below it failed (${failedBelow.join(", ")}/s)`] : []),
  ];
  if (failures.length) return { pass: false, why: failures.join("; ") };
  return { pass: true, why: `the step at ${at?.rate}/s and the ${below.length} below it passed` };
}

/** The rate a target names as a share of a reference measured in the same run, to 10/s. */
export const shareOf = (reference: Reference, share: number) =>
  Math.ceil((share * reference.value) / 10) * 10;

/** The listed rates and the rates the targets name, in order (a --quick smoke run keeps its own list). */
export const withTargetRates = (rates: readonly number[], targetRates: readonly number[], quick: boolean) =>
  [...new Set(quick ? rates : [...rates, ...targetRates])].sort((a, b) => a - b);

/** "p99 < N ms at share × { __typename } = R/s", judged at R and below. */
export function rateTarget(
  name: string,
  p99Ms: number,
  share: number,
  typename: Reference,
  steps: readonly RatedStep[],
): Target {
  const rate = shareOf(typename, share);
  const goal = `p99 < ${p99Ms} ms at ${share} × { __typename } = ${integer(rate)}/s and below`;
  return judgedAtRate(name, goal, rate, typename, steps);
}

/**
 * "p99 < N ms at R/s" for a rate an issue names outright (2,000 general-admission holds/s), judged at R
 * and below; the highest passing step is still shown over the run's { __typename }.
 */
export function fixedRateTarget(
  name: string,
  p99Ms: number,
  rate: number,
  typename: Reference,
  steps: readonly RatedStep[],
): Target {
  return judgedAtRate(name, `p99 < ${p99Ms} ms at ${integer(rate)}/s and below`, rate, typename, steps);
}

function judgedAtRate(
  name: string,
  goal: string,
  rate: number,
  typename: Reference,
  steps: readonly RatedStep[],
): Target {
  const verdict = heldAtRateAndBelow(steps, rate);
  const highest = steps.filter((step) => step.pass).sort((a, b) => b.rate - a.rate)[0];
  return {
    name,
    goal,
    measured: `${verdict.why}; highest passing step ${
      highest
        ? `${integer(highest.rate)}/s (${ratioText(ratio(highest.rate, typename), "{ __typename }")})`
        : "none"
    }`,
    pass: verdict.pass,
  };
}

/** "≤ N ms of CPU per operation, API and Postgres together, at R/s", that step and those below passing. */
export function cpuTarget(
  name: string,
  limitMs: number,
  operation: string,
  steps: readonly (RatedStep & { cost: StepCost })[],
  rate: number,
): Target {
  const at = steps.filter((step) => step.rate >= rate).sort((a, b) => a.rate - b.rate)[0];
  const ms = at ? serverAndPostgresMs(at.cost) : undefined;
  const verdict = heldAtRateAndBelow(steps, rate);
  return {
    name,
    goal: `≤ ${limitMs} ms API + Postgres per ${operation} at ${integer(rate)}/s (that step and those below passing)`,
    measured: at
      ? `${perOperation(ms)} at ${integer(at.rate)}/s (API ${perOperation(at.cost.msPerOperation.server)}, pg ` +
        `${perOperation(at.cost.msPerOperation.postgres)})${verdict.pass ? "" : `; ${verdict.why}`}`
      : `no step at ${integer(rate)}/s ran`,
    pass: verdict.pass && ms !== undefined && ms <= limitMs,
  };
}

/** What `pnpm bench all` reads of each run (written where BENCH_SUMMARY_FILE says). */
export interface RunSummary {
  scenario: string;
  startedAt: string;
  quick: boolean;
  machine: MachineInfo;
  references: Reference[];
  targets: Target[];
  /** Errors and broken invariants: they fail a run in any mode. */
  problems: string[];
  resultsPath: string;
}

export interface Finish {
  scenario: string;
  startedAt: Date;
  quick: boolean;
  machine: MachineInfo;
  references: Reference[];
  targets: Target[];
  problems: string[];
  /** Everything else the run measured, written as it is to bench/results/. */
  figures: Record<string, unknown>;
}

/**
 * Prints the targets, writes the results, and returns the exit code: 1 for any problem (errors, broken
 * invariants) and, except in a --quick smoke run, for any target missed.
 */
export async function finish(run: Finish): Promise<number> {
  const { scenario, startedAt, quick, machine, references, targets, problems } = run;
  console.log(
    `\n${table(
      ["target", "goal", "measured", ""],
      targets.map((target) => [target.name, target.goal, target.measured, target.pass ? "PASS" : "FAIL"]),
      4,
    )}`,
  );
  if (quick) console.log("(--quick: a smoke run; its targets do not decide the exit code.)");
  const summary = {
    scenario,
    startedAt: startedAt.toISOString(),
    quick,
    machine,
    references,
    targets,
    problems,
  };
  const resultsPath = await writeResults(`${scenario}-${fileStamp(startedAt)}.json`, {
    ...summary,
    ...run.figures,
  });
  console.log(`\nResults: ${resultsPath}`);
  // For `pnpm bench all`, which runs each scenario in a process of its own.
  const summaryFile = process.env.BENCH_SUMMARY_FILE;
  if (summaryFile) {
    await writeFile(
      summaryFile,
      `${JSON.stringify({ ...summary, resultsPath } satisfies RunSummary, null, 2)}\n`,
    );
  }
  if (problems.length) {
    console.error(`\nFAILED: ${problems.join("\n        ")}`);
    return 1;
  }
  const missed = targets.filter((target) => !target.pass);
  if (missed.length && !quick) {
    console.error(`\nFAILED targets: ${missed.map((target) => target.name).join(", ")}`);
    return 1;
  }
  return 0;
}
