import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { enqueueJobs, type JobSpec, type Jobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { Tx } from "../../kernel/transactions.js";
import type { OutboxConsumer, OutboxMessage } from "../orders/outbox.js";
import { guardedLookup, isPrivateAddress } from "./url-guard.js";
import { webhookHeaders } from "./webhook-signing.js";
import type { DeliveryRow, SendingEndpoint, WebhookStore } from "./webhook-store.js";

// From the outbox to the partner's server (docs/partners.md, "Delivery"). In the outbox relay's
// transaction, one statement makes a delivery per endpoint that wants each event of the batch, and each
// such endpoint's drain job is woken (`webhooks.drain`, one queued per endpoint, run one at a time per
// endpoint). A drain leases its endpoint, takes the endpoint's due deliveries in rounds of up to
// DRAIN_BATCH (only the earliest pending one of each order, so an order's events arrive in order), sends
// a round's requests concurrently, and records every answer of the round in one statement: a failed one
// is retried after exponential backoff with jitter, as a later round of a later drain. A short round
// ends the drain. Measured: a job
// and four round trips per delivery could not keep up with a sale (docs/benchmarks.md, "Webhook
// delivery").

export const DRAIN_TASK = "webhooks.drain";
/** The former one-job-per-delivery task: jobs of it still queued wake their endpoint's drain. */
const DELIVER_TASK = "webhooks.deliver";
// Connections to partners' servers are kept open between deliveries (a new socket still goes through
// the guarded lookup; a kept one was checked when it was opened).
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};
/** The event types deliveries exist for today (the list grows with the product). */
export const WEBHOOK_EVENT_TYPES = [
  "order.confirmed",
  "order.cancelled",
  "order.refunded",
  "ticket.checked_in",
  "ticket.transferred",
  "waitlist.offered",
  "event.published",
  "event.changed",
  "event.cancelled",
] as const;
/** Deliveries one round of a drain sends at once to one endpoint. */
const DRAIN_BATCH = 100;
/** A drain gives its worker back after this long (and queues itself again when work is left). */
const DRAIN_BUDGET_MS = 10_000;
/** The soonest a drain that found nothing due runs again: it never spins. */
const MIN_WAKE_UP_MS = 250;
const MAX_ERROR_LENGTH = 500;
// A drain's lease on its endpoint outlives a round's requests by this much (then a crashed drain's ends).
const LEASE_MARGIN_MS = 5_000;

/**
 * How a drain ends: nothing more to do for now ("stop": the endpoint is gone or disabled), run again at
 * once (its budget is spent), when another drain's lease ends, or when the next delivery is due.
 */
type DrainEnd = "stop" | "now" | "whenDue" | Date;

export interface WebhookDeliveryOptions {
  allowPrivateUrls: boolean;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Automatic retries stop (the delivery fails, the endpoint is disabled) this long after the first try. */
  retryWindowMs: number;
}

/**
 * The job that drains an endpoint: one queued per endpoint (its key), run one at a time (its queue).
 * Waking it again while it runs queues one more, which runs after it and sees what came meanwhile.
 */
export function drainJob(endpointId: string, runAt?: Date): JobSpec {
  return {
    task: DRAIN_TASK,
    payload: { endpointId },
    queueName: `webhooks:${endpointId}`,
    jobKey: `${DRAIN_TASK}:${endpointId}`,
    runAt,
  };
}

/** The wait before attempt `attempts + 1`: base × 4^(attempts−1), capped, with jitter (50–100 %). */
export function retryDelayMs(
  attempts: number,
  options: Pick<WebhookDeliveryOptions, "retryBaseMs" | "retryMaxDelayMs">,
  random = Math.random,
): number {
  const delay = Math.min(options.retryBaseMs * 4 ** Math.max(attempts - 1, 0), options.retryMaxDelayMs);
  return Math.round(delay * (0.5 + random() / 2));
}

interface EventPayload {
  orderId?: string;
  eventId?: number | string;
}

/** Deliveries with the same key reach an endpoint in outbox order: one order's events. */
function orderKeyOf(message: OutboxMessage): string {
  const payload = (message.payload ?? {}) as EventPayload;
  return payload.orderId ? `order:${payload.orderId}` : `outbox:${message.id}`;
}

/** The outbox consumer: one delivery per endpoint that wants each event, and a wake-up of its drain. */
export class WebhookDispatcher implements OutboxConsumer {
  readonly name = "webhooks";

  constructor(
    private readonly db: Db,
    private readonly store: WebhookStore,
  ) {}

  /** A job queued for one event before the fan-out moved into the relay's transaction. */
  handle(message: OutboxMessage): Promise<void> {
    return this.db.$transaction((tx) => this.relayWithin(tx, [message]));
  }

  /** In the relay's transaction: the deliveries of a batch of events, and a wake-up of their endpoints. */
  async relayWithin(tx: Tx, messages: OutboxMessage[]): Promise<void> {
    const events = messages
      .filter((message) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(message.topic))
      .map((message) => {
        const eventId = Number((message.payload as EventPayload | null)?.eventId);
        return {
          outboxEventId: message.id,
          eventType: message.topic,
          eventId: Number.isInteger(eventId) ? eventId : null,
          orderKey: orderKeyOf(message),
          payload: message.payload,
        };
      });
    if (events.length === 0) return;
    const endpoints = await this.store.insertDeliveries(tx, events);
    await enqueueJobs(
      tx,
      endpoints.map((id) => drainJob(id)),
    );
  }
}

interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The request body: the same on every attempt of a delivery (the signature covers it). */
export function webhookBody(delivery: Pick<DeliveryRow, "eventType" | "createdAt" | "payload">): string {
  return JSON.stringify({
    type: delivery.eventType,
    timestamp: delivery.createdAt.toISOString(),
    data: delivery.payload,
  });
}

/** Secrets that sign a request now: the current one, and the previous one during a rotation's overlap. */
export function signingSecrets(
  endpoint: Pick<SendingEndpoint, "secret" | "previousSecret" | "previousSecretExpiresAt">,
  now = new Date(),
): string[] {
  const previousValid =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
  return previousValid ? [endpoint.secret, endpoint.previousSecret as string] : [endpoint.secret];
}

export class WebhookDeliverer {
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(
    private readonly db: Db,
    private readonly store: WebhookStore,
    jobs: Jobs,
    private readonly log: Logger,
    private readonly options: WebhookDeliveryOptions,
  ) {
    this.lookup = guardedLookup(options.allowPrivateUrls);
    jobs.register(DRAIN_TASK, (payload) => this.drain((payload as { endpointId: string }).endpointId));
    jobs.register(DELIVER_TASK, async (payload) => {
      const delivery = await this.store.delivery((payload as { deliveryId: string }).deliveryId);
      if (delivery) await this.db.$transaction((tx) => enqueueJobs(tx, [drainJob(delivery.endpointId)]));
    });
  }

  /**
   * Sends the endpoint's due deliveries, round after round, until none is due or the budget is spent;
   * then queues the drain again for when the next one is due. Safe to run twice at once: a drain leases
   * the endpoint for each round (one that finds it leased runs again when the lease ends), and a
   * finished delivery is left alone.
   */
  async drain(endpointId: string): Promise<void> {
    const drainId = randomUUID();
    let end: DrainEnd;
    try {
      end = await this.sendDue(endpointId, drainId);
    } finally {
      await this.store.releaseDrain(endpointId, drainId);
    }
    if (end === "stop") return;
    if (end === "now") {
      await this.db.$transaction((tx) => enqueueJobs(tx, [drainJob(endpointId)]));
      return;
    }
    const wakeUp = end === "whenDue" ? await this.store.nextWakeUp(endpointId) : end;
    if (!wakeUp) return;
    const at = new Date(Math.max(wakeUp.getTime(), Date.now() + MIN_WAKE_UP_MS));
    // An earlier wake-up already queued (new deliveries) is kept.
    await this.db.$transaction((tx) => enqueueJobs(tx, [drainJob(endpointId, at)], { preserveRunAt: true }));
  }

  private async sendDue(endpointId: string, drainId: string): Promise<DrainEnd> {
    const started = Date.now();
    const leaseMs = this.options.timeoutMs + LEASE_MARGIN_MS;
    for (;;) {
      const endpoint = await this.store.leaseDrain(endpointId, drainId, leaseMs);
      // Deleted, or waiting for its owner to enable it again (which wakes the drain).
      if (!endpoint || ("disabledAt" in endpoint && endpoint.disabledAt)) return "stop";
      if ("leasedUntil" in endpoint) return endpoint.leasedUntil;
      const round = await this.store.dueDeliveries(endpointId, DRAIN_BATCH);
      if (round.length === 0) return "whenDue";
      if (await this.sendRound(endpoint, round)) return "stop";
      // A short round took everything that was due: what the relay added meanwhile has queued this drain
      // again, and the next event of an order sent now is found by the wake-up (asking again here cost
      // a lease and a read per drain, most drains of a sale being one short round).
      if (round.length < DRAIN_BATCH) return "whenDue";
      if (Date.now() - started > DRAIN_BUDGET_MS) return "now";
    }
  }

  /** One round: its requests at once, then every answer recorded together. True: the endpoint was disabled. */
  private async sendRound(endpoint: SendingEndpoint, round: DeliveryRow[]): Promise<boolean> {
    const attempts = await Promise.all(
      round.map(async (delivery) => {
        const attemptedAt = new Date();
        const result = await this.send(endpoint, delivery);
        const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
        const nextAt = new Date(Date.now() + retryDelayMs(delivery.attempts + 1, this.options));
        const givenUp =
          !delivered && nextAt.getTime() > delivery.retryingSince.getTime() + this.options.retryWindowMs;
        return {
          deliveryId: delivery.id,
          attemptedAt,
          ...result,
          status: delivered ? ("DELIVERED" as const) : givenUp ? ("FAILED" as const) : ("PENDING" as const),
          nextAttemptAt: delivered || givenUp ? null : nextAt,
        };
      }),
    );
    const failed = attempts.find((attempt) => attempt.status === "FAILED");
    await this.db.$transaction(async (tx) => {
      await this.store.recordAttempts(tx, attempts);
      if (!failed) return;
      const last = failed.statusCode !== null ? `HTTP ${failed.statusCode}` : failed.error;
      const disabled = await this.store.setEndpointDisabled(
        tx,
        endpoint.id,
        `Deliveries kept failing for ${Math.round(this.options.retryWindowMs / 3_600_000)} h (last: ${last}); enable the endpoint to resume`,
      );
      await this.store.announceDisabled(tx, disabled);
    });
    if (failed) {
      this.log.warn({ endpointId: endpoint.id, deliveryId: failed.deliveryId }, "webhook endpoint disabled");
    }
    return failed !== undefined;
  }

  private send(endpoint: SendingEndpoint, delivery: DeliveryRow): Promise<AttemptResult> {
    const started = performance.now();
    const finish = (statusCode: number | null, error: string | null): AttemptResult => ({
      statusCode,
      error: error?.slice(0, MAX_ERROR_LENGTH) ?? null,
      durationMs: Math.round(performance.now() - started),
    });
    const url = new URL(endpoint.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    // An IP literal is connected to without a lookup: judge it here.
    if (!this.options.allowPrivateUrls && isIP(host) && isPrivateAddress(host)) {
      return Promise.resolve(finish(null, `${host} is a loopback, private or link-local address`));
    }
    const body = webhookBody(delivery);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      ...webhookHeaders(signingSecrets(endpoint), delivery.id, timestamp, body),
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "Frontrow-Webhooks/1",
    };
    return new Promise((resolve) => {
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request(
        url,
        { method: "POST", headers, lookup: this.lookup, agent: agents[secure ? "https:" : "http:"] },
        (response) => {
          // The answer's body is not kept: only its status counts.
          response.resume();
          response.on("end", () => resolve(finish(response.statusCode ?? null, null)));
          response.on("error", (error) => resolve(finish(response.statusCode ?? null, error.message)));
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      request.on("close", () => clearTimeout(timer));
      request.on("error", (error) => resolve(finish(null, error.message)));
      request.end(body);
    });
  }
}
