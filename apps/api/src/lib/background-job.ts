import type { Logger } from "../infra/logger.js";

/**
 * Runs `work` every `intervalMs` on this instance, never two runs at once; logs a failure once and its
 * recovery once. `runNow()` runs it (or a variant) after any run in progress: tests call it instead of waiting.
 */
export class BackgroundJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private failing = false;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<T>,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  runNow(work = this.work): Promise<T> {
    const previous = this.running?.catch(() => undefined) ?? Promise.resolve();
    const run = previous.then(() => work());
    this.running = run;
    const forget = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(forget, forget);
    return run;
  }

  private tick(): void {
    if (this.running) return;
    this.runNow().then(
      () => {
        if (this.failing) this.log.info(`${this.name} recovered`);
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) this.log.warn({ err: error }, `${this.name} failed; retrying every interval`);
        this.failing = true;
      },
    );
  }
}
