import type { Db, Prisma } from "../../infra/prisma.js";

// Every SQL statement of the webhooks module (docs/partners.md). Services decide; this reads and writes.

type Tx = Prisma.TransactionClient;

export interface EndpointRow {
  id: string;
  ownerId: string;
  eventId: number | null;
  url: string;
  eventTypes: string[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
}

export type DeliveryStatus = "PENDING" | "DELIVERED" | "FAILED";

export interface DeliveryRow {
  id: string;
  endpointId: string;
  outboxEventId: bigint;
  eventType: string;
  orderKey: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  retryingSince: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
}

/** What sending a delivery needs of its endpoint. */
export type SendingEndpoint = Pick<
  EndpointRow,
  "id" | "url" | "secret" | "previousSecret" | "previousSecretExpiresAt" | "disabledAt"
>;

export interface AttemptRow {
  deliveryId: string;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const ENDPOINT_COLUMNS = `id, owner_id AS "ownerId", event_id AS "eventId", url, event_types AS "eventTypes",
  secret, previous_secret AS "previousSecret", previous_secret_expires_at AS "previousSecretExpiresAt",
  created_at AS "createdAt", disabled_at AS "disabledAt", disabled_reason AS "disabledReason"`;

const DELIVERY_COLUMNS = `d.id, d.endpoint_id AS "endpointId", d.outbox_event_id AS "outboxEventId",
  d.event_type AS "eventType", d.order_key AS "orderKey", d.payload, d.status, d.attempts,
  d.created_at AS "createdAt", d.retrying_since AS "retryingSince", d.next_attempt_at AS "nextAttemptAt",
  d.delivered_at AS "deliveredAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError"`;

/**
 * The earliest pending delivery of each order among the endpoint's oldest `window` pending ones (SQL
 * expressions; a null window: all of them), as `d`. None older is pending, so each is the first of its
 * order.
 */
const orderHeads = (endpoint: string, window: string) => `
  SELECT DISTINCT ON (order_key) *
  FROM (
    SELECT * FROM webhook_delivery
    WHERE endpoint_id = ${endpoint}::uuid AND status = 'PENDING'
    ORDER BY outbox_event_id LIMIT ${window}::int
  ) pending
  ORDER BY order_key, outbox_event_id`;

export class WebhookStore {
  constructor(private readonly db: Db) {}

  /* insertEndpoint */
  async insertEndpoint(input: {
    id: string;
    ownerId: string;
    eventId: number | null;
    url: string;
    eventTypes: string[];
    secret: string;
  }): Promise<EndpointRow> {
    const [row] = await this.db.$queryRawUnsafe<EndpointRow[]>(
      `INSERT INTO webhook_endpoint (id, owner_id, event_id, url, event_types, secret)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5::text[], $6)
       RETURNING ${ENDPOINT_COLUMNS}`,
      input.id,
      input.ownerId,
      input.eventId,
      input.url,
      input.eventTypes,
      input.secret,
    );
    return row as EndpointRow;
  }

  /* endpoint */
  async endpoint(id: string): Promise<EndpointRow | null> {
    const [row] = await this.db.$queryRawUnsafe<EndpointRow[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint WHERE id = $1::uuid`,
      id,
    );
    return row ?? null;
  }

  /* endpointsOf: one owner's, or everyone's (null) */
  endpointsOf(ownerId: string | null): Promise<EndpointRow[]> {
    return this.db.$queryRawUnsafe<EndpointRow[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint
       WHERE $1::uuid IS NULL OR owner_id = $1::uuid ORDER BY created_at DESC, id`,
      ownerId,
    );
  }

  /* rotateSecret: the current secret becomes the previous one, valid until `overlapUntil` */
  async rotateSecret(id: string, secret: string, overlapUntil: Date): Promise<EndpointRow> {
    const [row] = await this.db.$queryRawUnsafe<EndpointRow[]>(
      `UPDATE webhook_endpoint
       SET previous_secret = secret, previous_secret_expires_at = $3, secret = $2
       WHERE id = $1::uuid RETURNING ${ENDPOINT_COLUMNS}`,
      id,
      secret,
      overlapUntil,
    );
    return row as EndpointRow;
  }

  /* setEndpointDisabled: a reason disables, null enables */
  async setEndpointDisabled(tx: Tx, id: string, reason: string | null): Promise<EndpointRow> {
    const [row] = await tx.$queryRawUnsafe<EndpointRow[]>(
      `UPDATE webhook_endpoint
       SET disabled_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END, disabled_reason = $2
       WHERE id = $1::uuid RETURNING ${ENDPOINT_COLUMNS}`,
      id,
      reason,
    );
    return row as EndpointRow;
  }

  /* deleteEndpoint */
  async deleteEndpoint(id: string): Promise<void> {
    await this.db.$executeRaw`DELETE FROM webhook_endpoint WHERE id = ${id}::uuid`;
  }

  /**
   * insertDeliveries: for a batch of outbox events, one delivery per endpoint that wants each event (its
   * type; its event, or every event of its owner, or every event for an admin's), in one statement.
   * Idempotent: an event already fanned out adds none. Returns the enabled endpoints that got deliveries.
   */
  async insertDeliveries(
    tx: Tx,
    events: {
      outboxEventId: string;
      eventType: string;
      eventId: number | null;
      orderKey: string;
      payload: unknown;
    }[],
  ): Promise<string[]> {
    const rows = await tx.$queryRaw<{ endpointId: string }[]>`
      WITH ev AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
          AS ev("outboxEventId" bigint, "eventType" text, "eventId" int, "orderKey" text, payload jsonb)
      ), inserted AS (
        INSERT INTO webhook_delivery (id, endpoint_id, outbox_event_id, event_type, order_key, payload)
        SELECT gen_random_uuid(), e.id, ev."outboxEventId", ev."eventType", ev."orderKey", ev.payload
        FROM ev JOIN webhook_endpoint e ON ev."eventType" = ANY(e.event_types)
          AND (e.event_id = ev."eventId"
               OR (e.event_id IS NULL AND (
                 e.owner_id = (SELECT organizer_id FROM event WHERE id = ev."eventId")
                 OR EXISTS (SELECT 1 FROM user_account u WHERE u.id = e.owner_id AND u.role = 'ADMIN'))))
        ORDER BY ev."outboxEventId", e.id
        ON CONFLICT (endpoint_id, outbox_event_id) DO NOTHING
        RETURNING endpoint_id
      )
      SELECT DISTINCT e.id AS "endpointId"
      FROM inserted JOIN webhook_endpoint e ON e.id = inserted.endpoint_id
      WHERE e.disabled_at IS NULL`;
    return rows.map((row) => row.endpointId);
  }

  /**
   * leaseDrain: the endpoint, leased to the drain `drainId` for `leaseMs` (taken, or renewed by its
   * holder), so that one drain at a time sends its deliveries; a drain cut off by a crash holds it until
   * then. Null: the endpoint is gone. `leasedUntil`: another drain holds it.
   */
  async leaseDrain(
    endpointId: string,
    drainId: string,
    leaseMs: number,
  ): Promise<SendingEndpoint | { leasedUntil: Date } | null> {
    const [leased] = await this.db.$queryRaw<SendingEndpoint[]>`
      UPDATE webhook_endpoint
      SET drain_id = ${drainId}::uuid, drain_until = now() + make_interval(secs => ${leaseMs / 1000}::float8)
      WHERE id = ${endpointId}::uuid AND (drain_until IS NULL OR drain_until <= now() OR drain_id = ${drainId}::uuid)
      RETURNING id, url, secret, previous_secret AS "previousSecret",
                previous_secret_expires_at AS "previousSecretExpiresAt", disabled_at AS "disabledAt"`;
    if (leased) return leased;
    const [held] = await this.db.$queryRaw<{ leasedUntil: Date }[]>`
      SELECT drain_until AS "leasedUntil" FROM webhook_endpoint WHERE id = ${endpointId}::uuid`;
    return held ?? null;
  }

  /* releaseDrain: the drain `drainId` is done with the endpoint */
  async releaseDrain(endpointId: string, drainId: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE webhook_endpoint SET drain_id = NULL, drain_until = NULL
      WHERE id = ${endpointId}::uuid AND drain_id = ${drainId}::uuid`;
  }

  /**
   * dueDeliveries: up to `limit` deliveries of the endpoint that are due, each the earliest pending one of
   * its order (so one order's events go one after another), oldest first. The drain's lease on the
   * endpoint, not a write per delivery, keeps a second drain from sending them too.
   *
   * It looks at the endpoint's oldest `limit × 4` pending deliveries first, and at all of them only when
   * those gave fewer than `limit` (some are not due yet, or wait for an earlier one of their order). Each
   * order's first delivery is found by sorting those rows once (`DISTINCT ON`), never by a lookup per row:
   * with a backlog after a burst, a per-row "no earlier pending delivery of this order" check, planned with
   * statistics from before the burst, scanned every pending row for each candidate, and a round cost the
   * backlog squared (docs/benchmarks.md, "Webhook delivery").
   */
  async dueDeliveries(endpointId: string, limit: number): Promise<DeliveryRow[]> {
    const due = (window: number | null) =>
      this.db.$queryRawUnsafe<DeliveryRow[]>(
        `SELECT ${DELIVERY_COLUMNS} FROM (${orderHeads("$1", "$3")}) d
         WHERE coalesce(d.next_attempt_at, d.created_at) <= now()
         ORDER BY d.outbox_event_id LIMIT $2`,
        endpointId,
        limit,
        window,
      );
    // The window's answer is the start of the whole backlog's (no older pending delivery lies outside it),
    // so a short one is simply asked again of the whole backlog.
    const rows = await due(Math.trunc(limit) * 4);
    return rows.length < limit ? due(null) : rows;
  }

  /**
   * nextWakeUp: when the first of the endpoint's pending deliveries that `dueDeliveries` would take (the
   * earliest of each order) becomes due (null: none is pending).
   */
  async nextWakeUp(endpointId: string): Promise<Date | null> {
    const [row] = await this.db.$queryRawUnsafe<{ at: Date | null }[]>(
      `SELECT min(coalesce(d.next_attempt_at, d.created_at)) AS at FROM (${orderHeads("$1", "NULL")}) d`,
      endpointId,
    );
    return row?.at ?? null;
  }

  /* recordAttempts: each attempt's log row and its delivery's new state, in one statement */
  async recordAttempts(
    tx: Tx,
    attempts: (AttemptRow & { status: DeliveryStatus; nextAttemptAt: Date | null })[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    await tx.$executeRaw`
      WITH r AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) AS r(
          "deliveryId" uuid, "attemptedAt" timestamptz, "statusCode" int, error text, "durationMs" int,
          status text, "nextAttemptAt" timestamptz)
      ), logged AS (
        INSERT INTO webhook_attempt (delivery_id, attempted_at, status_code, error, duration_ms)
        SELECT "deliveryId", "attemptedAt", "statusCode", error, "durationMs" FROM r ORDER BY "attemptedAt"
      )
      UPDATE webhook_delivery d
      SET attempts = d.attempts + 1, status = r.status, next_attempt_at = r."nextAttemptAt",
          last_status_code = r."statusCode", last_error = r.error,
          delivered_at = CASE WHEN r.status = 'DELIVERED' THEN now() ELSE d.delivered_at END
      FROM r WHERE d.id = r."deliveryId"`;
  }

  /**
   * announceDisabled: the outbox event that tells the endpoint's owner (`webhook.endpoint_disabled`
   * {endpointId, ownerId, url, reason}; the notifications module mails it), in the disabling transaction.
   */
  async announceDisabled(tx: Tx, endpoint: EndpointRow): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO outbox_event (topic, payload)
      VALUES ('webhook.endpoint_disabled', ${JSON.stringify({
        endpointId: endpoint.id,
        ownerId: endpoint.ownerId,
        url: endpoint.url,
        reason: endpoint.disabledReason,
      })}::jsonb)`;
  }

  /* restart: a manual redelivery, with a fresh retry window */
  async restart(tx: Tx, id: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE webhook_delivery SET status = 'PENDING', next_attempt_at = now(), retrying_since = now()
      WHERE id = ${id}::uuid`;
  }

  /* delivery */
  async delivery(id: string): Promise<DeliveryRow | null> {
    const [row] = await this.db.$queryRawUnsafe<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d WHERE d.id = $1::uuid`,
      id,
    );
    return row ?? null;
  }

  /* deliveriesPage: newest first, after the outbox event id of the cursor */
  async deliveriesPage(
    endpointId: string,
    first: number,
    after: bigint | null,
  ): Promise<{ rows: DeliveryRow[]; totalCount: number }> {
    const [rows, [count]] = await Promise.all([
      this.db.$queryRawUnsafe<DeliveryRow[]>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d
         WHERE d.endpoint_id = $1::uuid AND ($2::bigint IS NULL OR d.outbox_event_id < $2::bigint)
         ORDER BY d.outbox_event_id DESC LIMIT $3`,
        endpointId,
        after,
        first + 1,
      ),
      this.db.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM webhook_delivery WHERE endpoint_id = ${endpointId}::uuid`,
    ]);
    return { rows, totalCount: count?.count ?? 0 };
  }

  /* attemptsOf: the attempt log of some deliveries, oldest first */
  attemptsOf(deliveryIds: string[]): Promise<AttemptRow[]> {
    return this.db.$queryRaw<AttemptRow[]>`
      SELECT delivery_id AS "deliveryId", attempted_at AS "attemptedAt", status_code AS "statusCode", error,
             duration_ms AS "durationMs"
      FROM webhook_attempt WHERE delivery_id = ANY(${deliveryIds}::uuid[]) ORDER BY id`;
  }
}
