// `pnpm bench <scenario> [options]`: runs one load scenario against the built API on this machine;
// `pnpm bench all [--quick]` runs them all, one after the other.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireApiBuild, SetupError } from "./lib/api-build.js";
import { installSignalHandlers } from "./lib/cleanup.js";
import { DOCS_PATH, renderTargets, rewriteTargets, type ScenarioRun } from "./lib/docs-table.js";
import { loadOptionsUsage, parseOptions, UsageError } from "./lib/options.js";
import { machineInfo, table } from "./lib/report.js";
import type { RunSummary } from "./lib/verdict.js";

interface ScenarioModule {
  /** Runs the scenario with its command-line options; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
  usage?: string;
}

interface Scenario {
  summary: string;
  load: () => Promise<ScenarioModule>;
}

// Adding a scenario is one entry here (and its module under scenarios/).
const scenarios: Record<string, Scenario> = {
  seatmap: {
    summary: "a stadium seat map under many concurrent fans: statuses, full map with layout, cold load",
    load: () => import("./scenarios/seatmap.js"),
  },
  fanout: {
    summary: "1,000 and 5,000 graphql-ws fans watching one stadium's seat map while seats change",
    load: () => import("./scenarios/fanout.js"),
  },
  holds: {
    summary:
      "logged-in fans holding random stadium seats at fixed arrival rates (open loop, HDR percentiles)",
    load: () => import("./scenarios/holds.js"),
  },
  ga: {
    summary:
      "general admission: fans holding places in the stadium concert's 8,000-place standing pitch at fixed rates",
    load: () => import("./scenarios/ga.js"),
  },
  queue: {
    summary:
      "the waiting room: fans joining (joins/s), the leader's tick cost at 10k and 100k waiting, position latency",
    load: () => import("./scenarios/queue.js"),
  },
  checkout: {
    summary:
      "fans pay for their holds at fixed arrival rates: orders/s, p50/p99, CPU per checkout, invariants",
    load: () => import("./scenarios/checkout.js"),
  },
  webhooks: {
    summary:
      "order.confirmed outbox events at 500/s to 10 webhook endpoints: delivery latency p50/p99, none lost",
    load: () => import("./scenarios/webhooks.js"),
  },
  organizer: {
    summary:
      "an organizer's pages during an on-sale: eventSales p99 while holds run, the 50,000-ticket attendee export",
    load: () => import("./scenarios/organizer.js"),
  },
  cancellation: {
    summary:
      "cancelling an event with 10,000 paid orders: orders refunded per second by the durable job, each exactly once",
    load: () => import("./scenarios/cancellation.js"),
  },
  mail: {
    summary:
      "a sell-out's order confirmations through SMTP (maildev): time until all are sent, sender's peak memory",
    load: () => import("./scenarios/mail.js"),
  },
  onsale: {
    summary:
      "a stadium on-sale rehearsal (queue, holds, checkout) with 10% rule-breaking bots: sell-out, oversold, bots' share",
    load: () => import("./scenarios/onsale.js"),
  },
};

const ALL_SUMMARY = [
  "every scenario above in turn, each in its own process (--quick is passed on); then, unless --quick,",
  "rewrites the targets table of docs/benchmarks.md: figures, machine, load average before each, date.",
  "Exits non-zero when a scenario did.",
];

function usage(): string {
  const width = Math.max(...Object.keys(scenarios).map((name) => name.length));
  const list = Object.entries(scenarios).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    "Usage: pnpm bench <scenario> [options]   (pnpm bench <scenario> --help: the scenario's own options)",
    "       pnpm bench all [--quick]",
    "",
    "Scenarios:",
    ...list,
    ...ALL_SUMMARY.map((line, index) => `  ${(index ? "" : "all").padEnd(width)}  ${line}`),
    "",
    "Every scenario prints, for every step, the CPU per operation of the API, Postgres, Redis and the load",
    "generator, a reference measured in the same run and the step's figure over it, the API's event-loop",
    "delay, and a verdict; a target is judged at the rate it names and every step below. A missed target",
    "exits non-zero (not in --quick smoke runs). Figures and verdicts go to bench/results/.",
    "",
    loadOptionsUsage,
  ].join("\n");
}

/** Runs one scenario in a child process (a fresh load generator each time); its summary, if it wrote one. */
async function runScenario(name: string, args: string[]): Promise<ScenarioRun> {
  const summaryFile = join(tmpdir(), `frontrow-bench-${process.pid}-${name}.json`);
  const loadAverage = loadavg()[0] ?? 0;
  console.log(`\n━━ pnpm bench ${[name, ...args].join(" ")} (load average ${loadAverage.toFixed(2)}) ━━\n`);
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), name, ...args],
    {
      stdio: "inherit",
      env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile },
    },
  );
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  const summary = await readFile(summaryFile, "utf8").then(
    (text) => JSON.parse(text) as RunSummary,
    () => undefined,
  );
  await rm(summaryFile, { force: true });
  return { scenario: name, loadAverage, exitCode: code ?? (signal ? 1 : 0), summary };
}

async function runAll(args: string[]): Promise<number> {
  const { settings } = parseOptions(args, { load: false });
  requireApiBuild();
  const started = new Date();
  const machine = machineInfo();
  const runs: ScenarioRun[] = [];
  for (const name of Object.keys(scenarios))
    runs.push(await runScenario(name, settings.quick ? ["--quick"] : []));
  console.log(
    `\n━━ pnpm bench all${settings.quick ? " --quick" : ""} ━━\n\n${table(
      ["scenario", "load before", "targets met", "problems", "exit code"],
      runs.map((run) => [
        run.scenario,
        run.loadAverage.toFixed(2),
        run.summary
          ? `${run.summary.targets.filter((target) => target.pass).length} of ${run.summary.targets.length}`
          : "no summary",
        String(run.summary?.problems.length ?? "?"),
        String(run.exitCode),
      ]),
    )}`,
  );
  if (settings.quick) {
    console.log(`\nA --quick run leaves ${DOCS_PATH} as it is: smoke figures are not measurements.`);
  } else {
    await rewriteTargets(renderTargets(runs, machine, started));
    console.log(`\nThe targets table of ${DOCS_PATH} now shows this run.`);
  }
  return runs.some((run) => run.exitCode !== 0) ? 1 : 0;
}

/** Usage errors print the right usage and exit 2; set-up errors (no build…) print their message only. */
async function reportingErrors(work: () => Promise<number>, usageText: string): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usageText}`);
      return 2;
    }
    if (error instanceof SetupError) {
      console.error(`\n${error.message}`);
      return 1;
    }
    throw error;
  }
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || isHelp(name)) {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === "all") {
    if (args.some(isHelp)) {
      console.log(usage());
      return 0;
    }
    installSignalHandlers();
    return reportingErrors(() => runAll(args), usage());
  }
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`Unknown scenario "${name}".\n\n${usage()}`);
    return 2;
  }
  const module = await scenario.load();
  const usageText = module.usage ?? usage();
  if (args.some(isHelp)) {
    console.log(usageText);
    return 0;
  }
  installSignalHandlers();
  return reportingErrors(() => module.run(args), usageText);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("\nBenchmark failed:", error);
    process.exit(1);
  },
);
