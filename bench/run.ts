// `pnpm bench <scenario> [options]`: runs one load scenario against the built API on this machine.
import { SetupError } from "./lib/api-build.js";
import { installSignalHandlers } from "./lib/cleanup.js";
import { loadOptionsUsage, UsageError } from "./lib/options.js";

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
  onsale: {
    summary:
      "a stadium on-sale rehearsal (queue, holds, checkout) with 10% rule-breaking bots: sell-out, oversold, bots' share",
    load: () => import("./scenarios/onsale.js"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(scenarios).map((name) => name.length));
  const list = Object.entries(scenarios).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return ["Usage: pnpm bench <scenario> [options]", "", "Scenarios:", ...list, "", loadOptionsUsage].join(
    "\n",
  );
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`Unknown scenario "${name}".\n\n${usage()}`);
    return 2;
  }
  installSignalHandlers();
  const module = await scenario.load();
  try {
    return await module.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${module.usage ?? usage()}`);
      return 2;
    }
    if (error instanceof SetupError) {
      console.error(`\n${error.message}`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("\nBenchmark failed:", error);
    process.exit(1);
  },
);
