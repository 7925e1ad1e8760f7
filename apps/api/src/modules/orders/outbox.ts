import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { BATCH_TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import { BackgroundJob } from "../../lib/background-job.js";

// The transactional outbox's relay (docs/orders.md): events such as `order.confirmed` are written in
// the transaction that makes them true, and delivered from here at least once, in id order per batch.
// Consumers must be idempotent on the event id.

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: Date;
}

/** Where events go: a webhook dispatcher, a message broker, … Throwing means "retry later". */
export interface OutboxSink {
  deliver(message: OutboxMessage): Promise<void>;
}

/** Publishes each event on the Redis channel `<prefix>outbox:<topic>` as JSON. */
export class RedisOutboxSink implements OutboxSink {
  constructor(
    private readonly redis: RedisClient,
    private readonly channelPrefix: string,
  ) {}

  async deliver(message: OutboxMessage): Promise<void> {
    await this.redis.publish(`${this.channelPrefix}outbox:${message.topic}`, JSON.stringify(message));
  }
}

const MAX_BATCHES_PER_RUN = 50;

export interface OutboxRelayOptions {
  intervalMs: number;
  batchSize?: number;
}

export interface RelayResult {
  delivered: number;
  failed: number;
}

/**
 * Runs on every instance. Each run locks a batch of undelivered events (`FOR UPDATE SKIP LOCKED`, so
 * instances share the work), delivers them, marks the delivered ones and counts an attempt on the
 * others, which the next run retries. A crash after delivering but before marking delivers again:
 * at least once.
 */
export class OutboxRelay {
  private readonly job: BackgroundJob<RelayResult>;

  constructor(
    private readonly db: Db,
    private readonly sink: OutboxSink,
    private readonly log: Logger,
    private readonly options: OutboxRelayOptions,
  ) {
    this.job = new BackgroundJob("outbox relay", () => this.relay(), log, options.intervalMs);
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
    const total: RelayResult = { delivered: 0, failed: 0 };
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const result = await this.relayBatch();
      total.delivered += result.delivered;
      total.failed += result.failed;
      // A short batch emptied the outbox; a failing one is retried on the next run, not at once.
      if (result.delivered + result.failed < this.batchSize || result.failed > 0) break;
    }
    return total;
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 100;
  }

  private relayBatch(): Promise<RelayResult> {
    return this.db.$transaction(async (tx) => {
      const batch = await tx.$queryRaw<(Omit<OutboxMessage, "id"> & { id: bigint })[]>`
          SELECT id, topic, payload, created_at AS "createdAt" FROM outbox_event
          WHERE delivered_at IS NULL
          ORDER BY id
          LIMIT ${this.batchSize}
          FOR UPDATE SKIP LOCKED`;
      const delivered: bigint[] = [];
      const failed: bigint[] = [];
      for (const event of batch) {
        try {
          await this.sink.deliver({ ...event, id: event.id.toString() });
          delivered.push(event.id);
        } catch (error) {
          if (failed.length === 0)
            this.log.warn({ err: error, topic: event.topic }, "outbox delivery failed");
          failed.push(event.id);
        }
      }
      if (delivered.length) {
        await tx.$executeRaw`
            UPDATE outbox_event SET delivered_at = now(), attempts = attempts + 1
            WHERE id = ANY(${delivered}::bigint[])`;
      }
      if (failed.length) {
        await tx.$executeRaw`
            UPDATE outbox_event SET attempts = attempts + 1 WHERE id = ANY(${failed}::bigint[])`;
      }
      return { delivered: delivered.length, failed: failed.length };
    }, BATCH_TRANSACTION_OPTIONS);
  }
}
