import { enqueueJobs, type JobSpec, type Jobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { BATCH_TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import { BackgroundJob } from "../../lib/background-job.js";
import { anyUndispatchedEvent, markDispatched, tryRelayLock, undispatchedEvents } from "./outbox-store.js";

// The transactional outbox (docs/orders.md): events such as `order.confirmed` are written in the
// transaction that makes them true. The relay turns each event into one durable job per consumer
// (infra/jobs.ts), in the transaction that marks the event dispatched: an event is never lost (the jobs
// commit with the mark) and never dispatched twice (the mark commits with the jobs). Each job is run at
// least once, so consumers must be idempotent on the event id.

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: Date;
}

/** Something that acts on every outbox event: a Redis publisher, the webhook dispatcher, … */
export interface OutboxConsumer {
  /** Names the job task `outbox.<name>`: never rename a consumer with jobs still queued. */
  name: string;
  /**
   * Jobs of one queue run one after another, in outbox order: a consumer that needs order (per order,
   * say) names a queue; one that does not leaves it undefined and its jobs run in parallel.
   */
  queueOf?(message: OutboxMessage): string | undefined;
  /** Throwing means "retry later" (graphile-worker's backoff). */
  handle(message: OutboxMessage): Promise<void>;
  /**
   * When present, the relay makes one job per batch of events instead of one per event (all in the queue
   * `outbox.<name>`, so batches run one after another, in outbox order): for consumers whose work is
   * cheaper done for many events at once (the webhook fan-out: one statement for a hundred orders).
   */
  handleBatch?(messages: OutboxMessage[]): Promise<void>;
  /**
   * When present, the relay calls it inside the transaction that marks a batch dispatched, instead of
   * adding jobs: for a consumer whose work is only rows in this database (the webhook fan-out writes one
   * delivery per endpoint and wakes their jobs). Atomic with the mark, in outbox order, one hop less; but
   * while it throws the relay's batch rolls back and every consumer waits, so it must be one plain
   * statement or two. `handle` still takes jobs queued for it before it had this.
   */
  relayWithin?(tx: Tx, messages: OutboxMessage[]): Promise<void>;
}

type QueuedMessage = Omit<OutboxMessage, "createdAt"> & { createdAt: string };
const revive = (message: QueuedMessage): OutboxMessage => ({
  ...message,
  createdAt: new Date(message.createdAt),
});

const taskOf = (consumer: OutboxConsumer) => `outbox.${consumer.name}`;

/** Publishes each event on the Redis channel `<prefix>outbox:<topic>` as JSON. */
export class RedisOutboxPublisher implements OutboxConsumer {
  readonly name = "redis";

  constructor(
    private readonly redis: RedisClient,
    private readonly channelPrefix: string,
  ) {}

  async handle(message: OutboxMessage): Promise<void> {
    await this.redis.publish(`${this.channelPrefix}outbox:${message.topic}`, JSON.stringify(message));
  }

  /** A relay batch in one round trip (a job per event was most of the job queue's work in a sale). */
  async handleBatch(messages: OutboxMessage[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const message of messages) {
      pipeline.publish(`${this.channelPrefix}outbox:${message.topic}`, JSON.stringify(message));
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }
}

const MAX_BATCHES_PER_RUN = 50;

export interface OutboxRelayOptions {
  intervalMs: number;
  batchSize?: number;
}

export interface RelayResult {
  /** Events turned into jobs by this run. */
  dispatched: number;
}

/**
 * Runs on every instance (one at a time, by an advisory lock). Each batch locks undispatched events in
 * id order, adds their consumers' jobs and marks them dispatched, all in one transaction.
 */
export class OutboxRelay {
  private readonly job: BackgroundJob<RelayResult>;

  private readonly consumers: OutboxConsumer[] = [];

  constructor(
    private readonly db: Db,
    private readonly jobs: Jobs,
    consumers: OutboxConsumer[],
    log: Logger,
    private readonly options: OutboxRelayOptions,
  ) {
    for (const consumer of consumers) this.addConsumer(consumer);
    this.job = new BackgroundJob("outbox relay", () => this.relay(), log, options.intervalMs);
  }

  /**
   * Every later event also becomes a job of this consumer (a module after orders adds its own, as the
   * webhooks module does). Before the job workers start: their task list is fixed then.
   */
  addConsumer(consumer: OutboxConsumer): void {
    this.jobs.register(taskOf(consumer), async (payload) => {
      // A batch's job, or one event's (as a batch consumer's jobs queued before it took batches are).
      const { messages } = payload as { messages?: QueuedMessage[] };
      if (!messages) return consumer.handle(revive(payload as QueuedMessage));
      if (consumer.handleBatch) return consumer.handleBatch(messages.map(revive));
      for (const message of messages) await consumer.handle(revive(message));
    });
    this.consumers.push(consumer);
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  runNow(): Promise<RelayResult> {
    return this.job.runNow();
  }

  /** Batch after batch until the outbox is empty (at most MAX_BATCHES_PER_RUN, then the next run). */
  private async relay(): Promise<RelayResult> {
    const total: RelayResult = { dispatched: 0 };
    if (!(await anyUndispatchedEvent(this.db))) return total;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const dispatched = await this.relayBatch();
      total.dispatched += dispatched;
      if (dispatched < this.batchSize) break;
    }
    return total;
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 100;
  }

  private relayBatch(): Promise<number> {
    return this.db.$transaction(async (tx) => {
      // Another instance is relaying: it takes these events (in order) right now.
      if (!(await tryRelayLock(tx))) return 0;
      const batch = await undispatchedEvents(tx, this.batchSize);
      if (batch.length === 0) return 0;
      const jobs: JobSpec[] = [];
      const messages = batch.map((event): OutboxMessage => ({ ...event, id: event.id.toString() }));
      for (const consumer of this.consumers) {
        if (consumer.relayWithin) await consumer.relayWithin(tx, messages);
        if (consumer.relayWithin || !consumer.handleBatch) continue;
        jobs.push({
          task: taskOf(consumer),
          payload: { messages },
          queueName: taskOf(consumer),
          jobKey: `${taskOf(consumer)}:${messages[0]?.id}-${messages.at(-1)?.id}`,
        });
      }
      for (const message of messages) {
        for (const consumer of this.consumers) {
          if (consumer.handleBatch || consumer.relayWithin) continue;
          jobs.push({
            task: taskOf(consumer),
            payload: message,
            queueName: consumer.queueOf?.(message),
            jobKey: `${taskOf(consumer)}:${message.id}`,
          });
        }
      }
      await enqueueJobs(tx, jobs);
      await markDispatched(
        tx,
        batch.map((event) => event.id),
      );
      return batch.length;
    }, BATCH_TRANSACTION_OPTIONS);
  }
}
