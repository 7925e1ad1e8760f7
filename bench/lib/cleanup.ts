// Whatever a scenario starts (an API process, ...) must stop with it, also on Ctrl-C or a crash.

type Cleanup = () => Promise<void>;

const pending = new Set<Cleanup>();
const lastResort = new Set<() => void>();

/** Runs `cleanup` when the scenario ends or is interrupted; returns a function that runs it now. */
export function onShutdown(cleanup: Cleanup, lastResortSync: () => void): () => Promise<void> {
  pending.add(cleanup);
  lastResort.add(lastResortSync);
  return async () => {
    if (!pending.delete(cleanup)) return;
    try {
      await cleanup();
    } finally {
      lastResort.delete(lastResortSync);
    }
  };
}

async function runAll(): Promise<void> {
  const cleanups = [...pending];
  pending.clear();
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
}

export function installSignalHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping…`);
      void runAll().finally(() => process.exit(130));
    });
  }
  // An exit that skipped the async cleanups (uncaught error, process.exit) still kills children.
  process.on("exit", () => {
    for (const kill of lastResort) kill();
  });
}
