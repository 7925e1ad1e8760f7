import { enqueueJobs } from "../../infra/jobs.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { assertPublicUrl, parseWebhookUrl, UnsafeUrlError } from "./url-guard.js";
import { drainJob, WEBHOOK_EVENT_TYPES } from "./webhook-delivery.js";
import { generateWebhookSecret } from "./webhook-signing.js";
import type { AttemptRow, DeliveryRow, EndpointRow, WebhookStore } from "./webhook-store.js";

// Partners' webhook endpoints (docs/partners.md): organizers register them for one of their events or
// for all of them, admins for any event or every event. The secret is shown when created and rotated.

export const DEFAULT_DELIVERIES_PAGE = 20;
export const MAX_DELIVERIES_PAGE = 100;
const MAX_ENDPOINTS_PER_OWNER = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CreateWebhookEndpointInput {
  url: string;
  eventTypes: string[];
  eventId?: string | null;
}

/** An endpoint as the API shows it; `secret` only right after creating or rotating it. */
export type WebhookEndpointView = Omit<EndpointRow, "secret" | "previousSecret"> & { secret: string | null };

export type WebhookDeliveryView = DeliveryRow & { attemptLog: AttemptRow[] };

export interface WebhooksOptions {
  allowPrivateUrls: boolean;
  /** How long the previous secret still signs after a rotation. */
  secretOverlapMs: number;
}

function view(row: EndpointRow, showSecret = false): WebhookEndpointView {
  const { secret, previousSecret: _previous, ...rest } = row;
  return { ...rest, secret: showSecret ? secret : null };
}

const isAdmin = (viewer: Viewer) => viewer.role === "ADMIN";

function requireOrganizer(viewer: Viewer): void {
  if (viewer.role !== "ORGANIZER" && !isAdmin(viewer)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only organizers and admins manage webhooks");
  }
}

export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly store: WebhookStore,
    private readonly options: WebhooksOptions,
  ) {}

  eventTypes(): string[] {
    return [...WEBHOOK_EVENT_TYPES];
  }

  async create(viewer: Viewer, input: CreateWebhookEndpointInput): Promise<WebhookEndpointView> {
    requireOrganizer(viewer);
    const eventTypes = [...new Set(input.eventTypes)];
    const unknown = eventTypes.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
    if (eventTypes.length === 0 || unknown.length) {
      throw badInput(`eventTypes must be some of ${WEBHOOK_EVENT_TYPES.join(", ")}`, {
        field: "eventTypes",
        unknown,
      });
    }
    const eventId = await this.ownedEventId(viewer, input.eventId);
    let url: URL;
    try {
      url = parseWebhookUrl(input.url.trim());
      await assertPublicUrl(url, this.options.allowPrivateUrls);
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw badInput(error.message, { field: "url" });
      throw error;
    }
    const existing = await this.store.endpointsOf(viewer.userId);
    if (existing.length >= MAX_ENDPOINTS_PER_OWNER) {
      throw new AppError(ErrorCode.LIMIT_EXCEEDED, `At most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints`, {
        field: "url",
        limit: MAX_ENDPOINTS_PER_OWNER,
      });
    }
    const row = await this.store.insertEndpoint({
      id: uuidv7(),
      ownerId: viewer.userId,
      eventId,
      url: url.toString(),
      eventTypes,
      secret: generateWebhookSecret(),
    });
    return view(row, true);
  }

  /** null for "all my events"; an event the caller organizes (any, for an admin) otherwise. */
  private async ownedEventId(viewer: Viewer, id: string | null | undefined): Promise<number | null> {
    if (id === null || id === undefined || id === "") return null;
    if (!/^\d{1,9}$/.test(id)) throw badInput("eventId is not an event id", { field: "eventId" });
    const event = await this.store.eventOrganizer(Number(id));
    if (!event)
      throw new AppError(ErrorCode.NOT_FOUND, `Event ${id} was not found`, { id, field: "eventId" });
    if (!isAdmin(viewer) && event.organizerId !== viewer.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, "You do not organize this event", { field: "eventId" });
    }
    return Number(id);
  }

  /** The caller's endpoints (every endpoint, for an admin). */
  async endpoints(viewer: Viewer): Promise<WebhookEndpointView[]> {
    requireOrganizer(viewer);
    const rows = await this.store.endpointsOf(isAdmin(viewer) ? null : viewer.userId);
    return rows.map((row) => view(row));
  }

  private async ownEndpoint(viewer: Viewer, id: string, field = "endpointId"): Promise<EndpointRow> {
    requireOrganizer(viewer);
    if (!UUID.test(id)) throw badInput(`${field} is not an endpoint id`, { field });
    const endpoint = await this.store.endpoint(id);
    if (!endpoint) throw notFound("Webhook endpoint", id);
    if (!isAdmin(viewer) && endpoint.ownerId !== viewer.userId) {
      throw new AppError(ErrorCode.FORBIDDEN, "This webhook endpoint is not yours");
    }
    return endpoint;
  }

  async rotateSecret(viewer: Viewer, endpointId: string): Promise<WebhookEndpointView> {
    await this.ownEndpoint(viewer, endpointId);
    const overlapUntil = new Date(Date.now() + this.options.secretOverlapMs);
    return view(await this.store.rotateSecret(endpointId, generateWebhookSecret(), overlapUntil), true);
  }

  /** Enables a disabled endpoint; its deliveries that waited meanwhile go out, in order. */
  async enable(viewer: Viewer, endpointId: string): Promise<WebhookEndpointView> {
    await this.ownEndpoint(viewer, endpointId);
    const row = await this.db.$transaction(async (tx) => {
      const enabled = await this.store.setEndpointDisabled(tx, endpointId, null);
      await enqueueJobs(tx, [drainJob(endpointId)]);
      return enabled;
    });
    return view(row);
  }

  async delete(viewer: Viewer, endpointId: string): Promise<boolean> {
    await this.ownEndpoint(viewer, endpointId);
    await this.store.deleteEndpoint(endpointId);
    return true;
  }

  async deliveries(
    viewer: Viewer,
    endpointId: string,
    first = DEFAULT_DELIVERIES_PAGE,
    after?: string | null,
  ): Promise<{ nodes: WebhookDeliveryView[]; cursors: string[]; hasNextPage: boolean; totalCount: number }> {
    await this.ownEndpoint(viewer, endpointId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES_PAGE) {
      throw badInput(`first must be 1 to ${MAX_DELIVERIES_PAGE}`, { field: "first" });
    }
    let cursor: bigint | null = null;
    if (after) {
      if (!/^\d{1,19}$/.test(after))
        throw badInput("after is not a cursor returned by this API", { field: "after" });
      cursor = BigInt(after);
    }
    const page = await this.store.deliveriesPage(endpointId, first, cursor);
    const rows = page.rows.slice(0, first);
    const attempts = rows.length ? await this.store.attemptsOf(rows.map((row) => row.id)) : [];
    const nodes = rows.map((row) => ({
      ...row,
      attemptLog: attempts.filter((attempt) => attempt.deliveryId === row.id),
    }));
    return {
      nodes,
      cursors: rows.map((row) => row.outboxEventId.toString()),
      hasNextPage: page.rows.length > first,
      totalCount: page.totalCount,
    };
  }

  /** Sends a delivery again now (the same webhook-id: receivers that saw it drop it), retrying as usual. */
  async redeliver(viewer: Viewer, deliveryId: string): Promise<WebhookDeliveryView> {
    if (!UUID.test(deliveryId)) throw badInput("deliveryId is not a delivery id", { field: "deliveryId" });
    const delivery = await this.store.delivery(deliveryId);
    if (!delivery) throw notFound("Webhook delivery", deliveryId);
    const endpoint = await this.ownEndpoint(viewer, delivery.endpointId);
    if (endpoint.disabledAt) {
      throw badInput("The endpoint is disabled: enable it first", { field: "deliveryId" });
    }
    await this.db.$transaction(async (tx) => {
      await this.store.restart(tx, deliveryId);
      await enqueueJobs(tx, [drainJob(delivery.endpointId)]);
    });
    const restarted = (await this.store.delivery(deliveryId)) as DeliveryRow;
    return { ...restarted, attemptLog: await this.store.attemptsOf([deliveryId]) };
  }
}
