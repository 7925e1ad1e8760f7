/** How many batches may run at once, and how many items one may carry. */
export interface GroupBatcherOptions {
  concurrency: number;
  maxBatchSize: number;
}

interface Waiting<Item, Result> {
  item: Item;
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

  constructor(
    /** Runs one batch: one result per item, in the items' order. A rejection fails every item of it. */
    private readonly runBatch: (items: Item[]) => Promise<Result[]>,
    private readonly options: GroupBatcherOptions,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.startBatches();
    });
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
