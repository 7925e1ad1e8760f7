import type { StepCost } from "./meter.js";
import { type Reference, ratio } from "./reference.js";
import { costCells, costHeader, costLine, ratioText, table } from "./report.js";
import type { Target } from "./verdict.js";

// Scenarios made of a list of steps, each measured on its own (organizer, mail, webhooks, cancellation):
// every step prints its own figures, then the columns every bench prints (its rate over the run's
// reference, CPU per operation by process, the API's event loop) and its verdict. A team adding a step
// appends it to its scenario's list; the reporting comes with it.

export interface StepOutcome {
  /** The step's own figures, under its header. */
  cells: string[];
  /** The measured part (meter.measure): CPU per operation by process, the API's event loop. */
  cost: StepCost;
  /** Operations per second, over the run's reference; undefined where a rate means nothing. */
  rate?: number;
  targets: Target[];
  /** Errors and broken invariants: they fail the step and the run in any mode. */
  problems: string[];
  figures: Record<string, unknown>;
}

export interface Step<Context> {
  name: string;
  /** Headers of the step's own figures (the cells of its outcome). */
  header: string[];
  /** What one operation is, for "CPU per <operation>" (e.g. "mail", "delivery"). */
  operation: string;
  run(context: Context): Promise<StepOutcome>;
}

export interface StepRun {
  name: string;
  header: string[];
  operation: string;
  outcome: StepOutcome;
}

/** A step passes when its targets hold and nothing went wrong. */
export const stepPassed = ({ targets, problems }: StepOutcome) =>
  problems.length === 0 && targets.every((target) => target.pass);

/** The step's table: its figures, its rate over the reference, its cost, its verdict. */
export function stepTable(run: StepRun, reference: Reference | undefined): string {
  const { outcome } = run;
  const over = reference ? [`× ${reference.name}`] : [];
  const overCells = reference
    ? [outcome.rate === undefined ? "–" : ratio(outcome.rate, reference).toFixed(3)]
    : [];
  return table(
    [...run.header, ...over, ...costHeader, "step"],
    [[...outcome.cells, ...overCells, ...costCells(outcome.cost), stepPassed(outcome) ? "PASS" : "FAIL"]],
  );
}

/**
 * Runs `steps` in turn with `context`, printing each one's table as it ends (the reference is the run's,
 * measured before), and returns them for the run's verdict (stepsVerdict).
 */
export async function runSteps<Context>(
  steps: readonly Step<Context>[],
  context: Context,
  reference: Reference | undefined,
): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  for (const step of steps) {
    console.log(`\nStep ${step.name}…`);
    const outcome = await step.run(context);
    const run = { name: step.name, header: step.header, operation: step.operation, outcome };
    const over =
      reference && outcome.rate !== undefined
        ? ` (${ratioText(ratio(outcome.rate, reference), reference.name)})`
        : "";
    console.log(`${stepTable(run, reference)}\n  per ${step.operation}${over}: ${costLine(outcome.cost)}`);
    runs.push(run);
  }
  return runs;
}

/** The steps' targets, problems (named by step) and figures, for finish(). */
export function stepsVerdict(runs: readonly StepRun[]) {
  return {
    targets: runs.flatMap(({ outcome }) => outcome.targets),
    problems: runs.flatMap(({ name, outcome }) => outcome.problems.map((problem) => `${name}: ${problem}`)),
    figures: Object.fromEntries(
      runs.map(({ name, outcome }) => [name, { ...outcome.figures, cost: outcome.cost }]),
    ),
  };
}
