import { parseArgs } from "node:util";

export class UsageError extends Error {}

export interface LoadSettings {
  /** Concurrent keep-alive connections, one client each. */
  connections: number;
  pipelining: number;
  /** Measured seconds per phase. */
  durationS: number;
  /** Seconds of the same load before each phase, not measured (JIT, caches, pools). */
  warmupS: number;
  /** A short smoke run: targets are shown but do not decide the exit code. */
  quick: boolean;
}

const FULL: Omit<LoadSettings, "quick"> = { connections: 100, pipelining: 1, durationS: 10, warmupS: 2 };
const QUICK: Omit<LoadSettings, "quick"> = { connections: 20, pipelining: 1, durationS: 2, warmupS: 1 };

export const loadOptionsUsage = `Load options (flag, else environment variable, else default full / --quick):
  --quick                 smoke run: ${QUICK.connections} connections, ${QUICK.durationS} s per phase, ${QUICK.warmupS} s warm-up; targets are
                          shown but do not decide the exit code
  --connections N         BENCH_CONNECTIONS   (${FULL.connections})
  --pipelining N          BENCH_PIPELINING    (${FULL.pipelining})
  --duration SECONDS      BENCH_DURATION      (${FULL.durationS})
  --warmup SECONDS        BENCH_WARMUP        (${FULL.warmupS})`;

interface Bounds {
  min: number;
  max: number;
}

/** `raw` as an integer within bounds; `fallback` when it is absent. */
export function integerOption(name: string, raw: string | undefined, fallback: number, bounds: Bounds) {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${name} must be an integer from ${bounds.min} to ${bounds.max}, not "${raw}"`);
  }
  return value;
}

/** `raw` as a comma-separated list of integers within bounds; `fallback` when it is absent. */
function integerListOption(
  name: string,
  raw: string | undefined,
  fallback: readonly number[],
  bounds: Bounds,
): number[] {
  if (raw === undefined || raw === "") return [...fallback];
  const values = raw.split(",").map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < bounds.min || value > bounds.max)) {
    throw new UsageError(
      `${name} must be a comma-separated list of integers from ${bounds.min} to ${bounds.max}, not "${raw}"`,
    );
  }
  return values;
}

function numberSetting(name: string, raw: string | undefined, fallback: number, bounds: Bounds): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`${name} must be a number from ${bounds.min} to ${bounds.max}, not "${raw}"`);
  }
  return value;
}

export interface ScenarioOptions {
  settings: LoadSettings;
  /** The scenario's own boolean flags, by name. */
  flags: Record<string, boolean>;
  /** The scenario's own valued options, by name, as given (validated by the scenario). */
  values: Record<string, string | undefined>;
}

/**
 * Parses a scenario's command line: `--quick`, the shared load options (unless `load` is false), and the
 * scenario's own boolean `flags` and valued `values` (`--name value` or `--name=value`).
 */
export function parseOptions(
  args: string[],
  {
    flags = [],
    values = [],
    load = true,
  }: { flags?: readonly string[]; values?: readonly string[]; load?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): ScenarioOptions {
  const loadOptions = load ? ["connections", "pipelining", "duration", "warmup"] : [];
  const options: Record<string, { type: "boolean" | "string" }> = { quick: { type: "boolean" } };
  for (const name of flags) options[name] = { type: "boolean" };
  for (const name of [...loadOptions, ...values]) options[name] = { type: "string" };
  let parsed: Record<string, unknown>;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const text = (name: string) => {
    const value = parsed[name];
    return typeof value === "string" ? value : undefined;
  };
  const quick = parsed.quick === true;
  const defaults = quick ? QUICK : FULL;
  const settings: LoadSettings = {
    quick,
    connections: integerOption(
      "connections",
      text("connections") ?? env.BENCH_CONNECTIONS,
      defaults.connections,
      {
        min: 1,
        max: 10_000,
      },
    ),
    pipelining: integerOption("pipelining", text("pipelining") ?? env.BENCH_PIPELINING, defaults.pipelining, {
      min: 1,
      max: 100,
    }),
    durationS: numberSetting("duration", text("duration") ?? env.BENCH_DURATION, defaults.durationS, {
      min: 1,
      max: 600,
    }),
    warmupS: numberSetting("warmup", text("warmup") ?? env.BENCH_WARMUP, defaults.warmupS, {
      min: 0,
      max: 120,
    }),
  };
  return {
    settings,
    flags: Object.fromEntries(flags.map((name) => [name, parsed[name] === true])),
    values: Object.fromEntries(values.map((name) => [name, text(name)])),
  };
}

interface RatedSpec {
  /** The environment variables' prefix: `<env>_RATES`, `<env>_FANS`. */
  env: string;
  rates: { full: readonly number[]; quick: readonly number[]; max: number };
  fans: { full: number; quick: number; max: number };
  /** The scenario's own valued options besides these (validated by the scenario). */
  values?: readonly string[];
}

/**
 * The options of a scenario that a crowd of fans runs at increasing arrival rates: `--rates LIST`,
 * `--fans N` (flag, else environment variable, else default) and `--cpu-prof`, besides the shared ones.
 */
export function parseRatedOptions(args: string[], spec: RatedSpec) {
  const { settings, flags, values } = parseOptions(args, {
    flags: ["cpu-prof"],
    values: ["rates", "fans", ...(spec.values ?? [])],
  });
  const pick = <T>(defaults: { full: T; quick: T }) => (settings.quick ? defaults.quick : defaults.full);
  return {
    settings,
    values,
    cpuProfile: flags["cpu-prof"] === true,
    rates: integerListOption("--rates", values.rates ?? process.env[`${spec.env}_RATES`], pick(spec.rates), {
      min: 1,
      max: spec.rates.max,
    }),
    fans: integerOption("--fans", values.fans ?? process.env[`${spec.env}_FANS`], pick(spec.fans), {
      min: 1,
      max: spec.fans.max,
    }),
  };
}
