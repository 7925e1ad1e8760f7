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
  --quick                 smoke run: ${QUICK.connections} connections, ${QUICK.durationS} s per phase, ${QUICK.warmupS} s warm-up
  --connections N         BENCH_CONNECTIONS   (${FULL.connections})
  --pipelining N          BENCH_PIPELINING    (${FULL.pipelining})
  --duration SECONDS      BENCH_DURATION      (${FULL.durationS})
  --warmup SECONDS        BENCH_WARMUP        (${FULL.warmupS})`;

function numberSetting(
  name: string,
  flag: string | undefined,
  envValue: string | undefined,
  fallback: number,
  { min, max, integer }: { min: number; max: number; integer: boolean },
): number {
  const raw = flag ?? envValue;
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, not "${raw}"`,
    );
  }
  return value;
}

/** Parses the load flags shared by the scenarios; `extra` declares a scenario's own boolean flags. */
export function parseLoadOptions(
  args: string[],
  extra: Record<string, { type: "boolean" }> = {},
  env: NodeJS.ProcessEnv = process.env,
): { settings: LoadSettings; flags: Record<string, boolean> } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        connections: { type: "string" },
        pipelining: { type: "string" },
        duration: { type: "string" },
        warmup: { type: "string" },
        ...extra,
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  const text = (name: string) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const quick = values.quick === true;
  const defaults = quick ? QUICK : FULL;
  const settings: LoadSettings = {
    quick,
    connections: numberSetting(
      "connections",
      text("connections"),
      env.BENCH_CONNECTIONS,
      defaults.connections,
      {
        min: 1,
        max: 10_000,
        integer: true,
      },
    ),
    pipelining: numberSetting("pipelining", text("pipelining"), env.BENCH_PIPELINING, defaults.pipelining, {
      min: 1,
      max: 100,
      integer: true,
    }),
    durationS: numberSetting("duration", text("duration"), env.BENCH_DURATION, defaults.durationS, {
      min: 1,
      max: 600,
      integer: false,
    }),
    warmupS: numberSetting("warmup", text("warmup"), env.BENCH_WARMUP, defaults.warmupS, {
      min: 0,
      max: 120,
      integer: false,
    }),
  };
  const flags: Record<string, boolean> = {};
  for (const name of Object.keys(extra)) flags[name] = values[name] === true;
  return { settings, flags };
}
