import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { enqueueJobs, type JobSpec, type Jobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { OutboxConsumer, OutboxMessage } from "../orders/outbox.js";
import { guardedLookup, isPrivateAddress } from "./url-guard.js";
import { webhookHeaders } from "./webhook-signing.js";
import type { DeliveryRow, SendingEndpoint, WebhookStore } from "./webhook-store.js";

// From the outbox to the partner's server (docs/partners.md, "Delivery"): the `outbox.webhooks` job
// turns an event into one delivery per endpoint that wants it, each with a `webhooks.deliver` job, in
// one transaction. A deliver job makes one signed request, logs it, and either marks the delivery done
// or schedules its next attempt (exponential backoff with jitter) as a new job, in one transaction.

export const DELIVER_TASK = "webhooks.deliver";
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
  "ticket.checked_in",
  "ticket.transferred",
  "waitlist.offered",
] as const;
// Fan-out jobs of one order share a queue (they run in outbox order); lanes let orders go in parallel.
const FANOUT_LANES = 8;
// A delivery waiting behind an earlier one of its order looks again this long after that one's next try.
const WAIT_BEHIND_MS = 250;
const MAX_ERROR_LENGTH = 500;
// A claim on a delivery outlives its request's timeout by this much (then a crashed sender's is void).
const CLAIM_MARGIN_MS = 5_000;

export interface WebhookDeliveryOptions {
  allowPrivateUrls: boolean;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Automatic retries stop (the delivery fails, the endpoint is disabled) this long after the first try. */
  retryWindowMs: number;
}

export function deliverJob(deliveryId: string, runAt?: Date): JobSpec {
  // The key keeps one queued job per delivery: scheduling again moves it instead of adding another.
  return { task: DELIVER_TASK, payload: { deliveryId }, jobKey: `${DELIVER_TASK}:${deliveryId}`, runAt };
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

/** The outbox consumer: one delivery (and its job) per endpoint that wants the event. */
export class WebhookDispatcher implements OutboxConsumer {
  readonly name = "webhooks";

  constructor(
    private readonly db: Db,
    private readonly store: WebhookStore,
  ) {}

  queueOf(message: OutboxMessage): string {
    const lane = createHash("sha1").update(orderKeyOf(message)).digest().readUInt32BE(0) % FANOUT_LANES;
    return `outbox.webhooks.${lane}`;
  }

  async handle(message: OutboxMessage): Promise<void> {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(message.topic)) return;
    const payload = (message.payload ?? {}) as EventPayload;
    const eventId = Number(payload.eventId);
    await this.db.$transaction(async (tx) => {
      const ids = await this.store.insertDeliveries(tx, {
        outboxEventId: BigInt(message.id),
        eventType: message.topic,
        eventId: Number.isInteger(eventId) ? eventId : null,
        orderKey: orderKeyOf(message),
        payload: message.payload,
      });
      await enqueueJobs(
        tx,
        ids.map((id) => deliverJob(id)),
      );
    });
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
    jobs.register(DELIVER_TASK, (payload) => this.deliver((payload as { deliveryId: string }).deliveryId));
  }

  /** One attempt of one delivery (a deliver job). Safe to run twice: a finished delivery is left alone. */
  async deliver(deliveryId: string): Promise<void> {
    const found = await this.store.deliveryToSend(deliveryId);
    if (!found) return;
    const { delivery, endpoint } = found;
    // Done, given up, or waiting for its owner to enable the endpoint again (which schedules it).
    if (delivery.status !== "PENDING" || endpoint.disabledAt) return;
    const turn = await this.store.claimTurn(delivery, this.options.timeoutMs + CLAIM_MARGIN_MS);
    if (turn.waitingBehind !== undefined) {
      // An earlier event of this order is still pending: go after its next try.
      const after = Math.max(turn.waitingBehind?.getTime() ?? 0, Date.now());
      const until = new Date(after + WAIT_BEHIND_MS);
      await this.db.$transaction(async (tx) => {
        await this.store.postpone(tx, delivery.id, until);
        await enqueueJobs(tx, [deliverJob(delivery.id, until)]);
      });
      return;
    }
    // Another job for this delivery may be sending it right now (a wake-up raced a retry): wait for it.
    if (!turn.claimed) {
      if (turn.claimedUntil)
        await this.retryAt(delivery.id, new Date(turn.claimedUntil.getTime() + WAIT_BEHIND_MS));
      return;
    }
    const attemptedAt = new Date();
    const result = await this.send(endpoint, delivery);
    const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const attempt = { deliveryId: delivery.id, attemptedAt, ...result };
    await this.db.$transaction(async (tx) => {
      if (delivered) {
        await this.store.recordAttempt(tx, attempt, { status: "DELIVERED", nextAttemptAt: null });
        // The next event of this order need not wait for its own timer.
        const [next] = await this.store.laterPending(tx, delivery);
        if (next) await enqueueJobs(tx, [deliverJob(next)]);
        return;
      }
      const nextAt = new Date(Date.now() + retryDelayMs(delivery.attempts + 1, this.options));
      if (nextAt.getTime() > delivery.retryingSince.getTime() + this.options.retryWindowMs) {
        await this.store.recordAttempt(tx, attempt, { status: "FAILED", nextAttemptAt: null });
        const last = result.statusCode !== null ? `HTTP ${result.statusCode}` : result.error;
        await this.store.setEndpointDisabled(
          tx,
          endpoint.id,
          `Deliveries kept failing for ${Math.round(this.options.retryWindowMs / 3_600_000)} h (last: ${last}); enable the endpoint to resume`,
        );
        this.log.warn({ endpointId: endpoint.id, deliveryId: delivery.id }, "webhook endpoint disabled");
        return;
      }
      await this.store.recordAttempt(tx, attempt, { status: "PENDING", nextAttemptAt: nextAt });
      await enqueueJobs(tx, [deliverJob(delivery.id, nextAt)]);
    });
  }

  private async retryAt(deliveryId: string, at: Date): Promise<void> {
    await this.db.$transaction((tx) => enqueueJobs(tx, [deliverJob(deliveryId, at)]));
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
