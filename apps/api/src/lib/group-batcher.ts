import { performance } from "node:perf_hooks";

export interface GroupBatcherOptions {
  /** Batches running at once. */
  concurrency: number;
  maxBatchSize: number;
  /**
   * An item that waited this long for a batch fails with BatchWaitTimeout instead: when batches stall
   * (the database is down or locked), callers hear so in bounded time rather than queueing without end.
   */
  maxWaitMs: number;
}

/** The item waited longer than `maxWaitMs` and was never sent. */
export class BatchWaitTimeout extends Error {
  constructor(waitedMs: number) {
    super(`Waited ${Math.round(waitedMs)} ms for a batch`);
    this.name = "BatchWaitTimeout";
  }
}

interface Waiting<Item, Result> {
  item: Item;
  submittedAt: number;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: an item submitted while fewer than `concurrency` batches run goes at once, alone; items
 * submitted while all of them run wait and go together in the next batch. Batches grow with the load and
 * an idle system adds no delay.
 */
export class GroupBatcher<Item, Result> {
  private readonly waiting: Waiting<Item, Result>[] = [];
  private running = 0;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Runs one batch: one result per item, in the items' order. A rejection fails every item of it. */
    private readonly runBatch: (items: Item[]) => Promise<Result[]>,
    private readonly options: GroupBatcherOptions,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, submittedAt: performance.now(), resolve, reject });
      this.startBatches();
      this.scheduleExpiry();
    });
  }

  /** One timer at a time, due when the oldest waiting item (the first: the queue is FIFO) expires. */
  private scheduleExpiry(): void {
    const oldest = this.waiting[0];
    if (this.expiryTimer || !oldest) return;
    const dueInMs = oldest.submittedAt + this.options.maxWaitMs - performance.now();
    this.expiryTimer = setTimeout(() => this.rejectExpired(), Math.max(0, dueInMs));
  }

  private rejectExpired(): void {
    this.expiryTimer = undefined;
    const now = performance.now();
    for (let first = this.waiting[0]; first; first = this.waiting[0]) {
      const waitedMs = now - first.submittedAt;
      if (waitedMs < this.options.maxWaitMs) break;
      this.waiting.shift();
      first.reject(new BatchWaitTimeout(waitedMs));
    }
    this.scheduleExpiry();
  }

  private startBatches(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatchSize);
      this.running++;
      this.run(batch).finally(() => {
        this.running--;
        this.startBatches();
      });
    }
  }

  private async run(batch: Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) {
        throw new Error(`A batch of ${batch.length} gave ${results.length} results`);
      }
      for (const [index, waiting] of batch.entries()) waiting.resolve(results[index] as Result);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
