import { setTimeout as sleep } from "node:timers/promises";
import { RedisPubSub } from "graphql-redis-subscriptions";
import type { PubSub } from "type-graphql";
import type { Logger } from "./logger.js";
import { createRedis, type RedisClient, type RedisSettings } from "./redis.js";

// How long a sequenced publish waits for its predecessor (published by another instance right after
// its own commit) before it gives up on it and publishes anyway, leaving a gap that clients resync on.
const PREDECESSOR_WAIT_MS = 150;
const PREDECESSOR_POLL_MS = 5;
// The last sequence number of a topic is forgotten after this much silence (e.g. after a database
// restore made the numbers start lower again).
const SEQUENCE_TTL_SECONDS = 60;

/**
 * Publishes a message only in sequence order: 1 published, 2 published after a gap (forced),
 * 0 stale (this number or a later one was already published), -1 the predecessor is still missing.
 */
const PUBLISH_IN_SEQUENCE = `
local last = tonumber(redis.call('GET', KEYS[1]))
local sequence = tonumber(ARGV[2])
if last and sequence <= last then return 0 end
local gap = last and sequence > last + 1
if gap and ARGV[4] == '0' then return -1 end
redis.call('SET', KEYS[1], sequence, 'EX', ARGV[5])
redis.call('PUBLISH', ARGV[1], ARGV[3])
if gap then return 2 end
return 1`;

export type SequencedOutcome = "published" | "publishedAfterGap" | "stale";

const GLOB_SPECIALS = /[*?[\]\\]/g;

/**
 * TypeGraphQL's `PubSub` over graphql-redis-subscriptions, so subscribers on every API instance get
 * what any instance publishes. A topic is a routing key plus an optional id (TypeGraphQL's `topicId`),
 * one Redis channel each: an instance only receives the events its own subscribers asked for.
 *
 * ioredis applies `keyPrefix` to keys, never to pub/sub channels, so the prefix is added here to
 * channels and keys alike (both connections run without one): deployments and test runs sharing a
 * Redis stay apart.
 */
export class RedisTopicPubSub implements PubSub {
  /** This instance's open subscriptions per channel (an iterator counts until it is returned). */
  private readonly localSubscriptions = new Map<string, number>();

  constructor(
    private readonly engine: RedisPubSub,
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly prefix: string,
  ) {}

  channel(routingKey: string, topicId?: unknown): string {
    return topicId === undefined
      ? `${this.prefix}${routingKey}`
      : `${this.prefix}${routingKey}:${String(topicId)}`;
  }

  /** `publish(routingKey, payload)`, or `publish(routingKey, topicId, payload)` for a topic with an id. */
  publish(routingKey: string, ...args: unknown[]): Promise<void> {
    const [topicId, payload] = args.length >= 2 ? args : [undefined, args[0]];
    return this.engine.publish(this.channel(routingKey, topicId), payload);
  }

  subscribe(routingKey: string, topicId?: unknown): AsyncIterable<unknown> {
    const channel = this.channel(routingKey, topicId);
    const iterator = this.engine.asyncIterator<unknown>(channel);
    this.localSubscriptions.set(channel, (this.localSubscriptions.get(channel) ?? 0) + 1);
    let open = true;
    const ended = () => {
      if (!open) return;
      open = false;
      const left = (this.localSubscriptions.get(channel) ?? 1) - 1;
      if (left > 0) this.localSubscriptions.set(channel, left);
      else this.localSubscriptions.delete(channel);
    };
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => iterator.next(),
        return: () => {
          ended();
          return iterator.return();
        },
        throw: (error?: unknown) => {
          ended();
          return iterator.throw(error);
        },
      }),
    };
  }

  /** Whether a client of this instance has subscribed to the topic and not left. */
  hasLocalSubscribers(routingKey: string, topicId?: unknown): boolean {
    return this.localSubscriptions.has(this.channel(routingKey, topicId));
  }

  /**
   * Publishes messages numbered 1, 2, 3… per topic in that order, whichever instance publishes them:
   * a message whose predecessor has not been published yet waits for it (up to PREDECESSOR_WAIT_MS),
   * and a message older than one already published is dropped. Redis delivers the messages of one
   * channel in the order it ran the PUBLISHes, so every subscriber sees them in order.
   */
  async publishInSequence(
    routingKey: string,
    topicId: unknown,
    sequence: number,
    payload: unknown,
  ): Promise<SequencedOutcome> {
    const channel = this.channel(routingKey, topicId);
    const sequenceKey = `${this.prefix}sequence:${routingKey}:${String(topicId)}`;
    const message = JSON.stringify(payload);
    const deadline = Date.now() + PREDECESSOR_WAIT_MS;
    for (;;) {
      const force = Date.now() >= deadline ? "1" : "0";
      const outcome = Number(
        await this.publisher.eval(
          PUBLISH_IN_SEQUENCE,
          1,
          sequenceKey,
          channel,
          sequence,
          message,
          force,
          SEQUENCE_TTL_SECONDS,
        ),
      );
      if (outcome === 1) return "published";
      if (outcome === 2) return "publishedAfterGap";
      if (outcome === 0) return "stale";
      await sleep(PREDECESSOR_POLL_MS);
    }
  }

  /** Calls `listener` with every message of every topic of `routingKey`; resolves once subscribed. */
  async subscribeToAll(routingKey: string, listener: (payload: unknown) => void): Promise<() => void> {
    const pattern = `${this.channel(routingKey).replace(GLOB_SPECIALS, "\\$&")}:*`;
    const subscriptionId = await this.engine.subscribe(pattern, listener, { pattern: true });
    return () => this.engine.unsubscribe(subscriptionId);
  }

  close(): void {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

/**
 * Two connections, as pub/sub needs: a subscriber connection is dedicated to (P)SUBSCRIBE.
 * - The publisher fails fast like every other command (see redis.ts): callers retry or report.
 * - The subscriber queues its (re)subscriptions while Redis is away and ioredis resubscribes every
 *   channel after a reconnect, so subscriptions survive a Redis restart (clients see a version gap
 *   for what was published meanwhile, and resync).
 */
export function createPubSub(settings: RedisSettings, log: Logger): RedisTopicPubSub {
  const unprefixed = { ...settings, keyPrefix: "" };
  const publisher = createRedis(unprefixed, "pubsub-publisher");
  const subscriber = createRedis(unprefixed, "pubsub-subscriber", {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    autoResubscribe: true,
  });
  publisher.on("error", (error: Error) => log.warn({ err: error.message }, "redis publisher error"));
  subscriber.on("error", (error: Error) => log.warn({ err: error.message }, "redis subscriber error"));
  // Connect now; failures are retried in the background (and reported through the handlers above).
  publisher.connect().catch(() => undefined);
  subscriber.connect().catch(() => undefined);
  const engine = new RedisPubSub({ publisher, subscriber: withHandledUnsubscribes(subscriber) });
  return new RedisTopicPubSub(engine, publisher, subscriber, settings.keyPrefix);
}

/**
 * (Its SUBSCRIBE refused, graphql-redis-subscriptions 2.7 also rejected a promise nobody awaits:
 * patches/graphql-redis-subscriptions@2.7.0.patch marks it handled.)
 *
 * graphql-redis-subscriptions sends UNSUBSCRIBE and PUNSUBSCRIBE without waiting for them. Refused by a
 * closed connection (a listener stopped while its instance shuts down), each was an unhandled rejection,
 * which fails a test run and would end a process. The subscription is gone either way.
 */
function withHandledUnsubscribes(subscriber: RedisClient): RedisClient {
  for (const command of ["unsubscribe", "punsubscribe"] as const) {
    const send = subscriber[command].bind(subscriber) as (...channels: string[]) => Promise<unknown>;
    Object.assign(subscriber, {
      [command]: (...channels: string[]) => send(...channels).catch(() => 0),
    });
  }
  return subscriber;
}
