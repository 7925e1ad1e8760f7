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

interface EndpointPart {
  e_url: string;
  e_secret: string;
  e_previousSecret: string | null;
  e_previousSecretExpiresAt: Date | null;
  e_disabledAt: Date | null;
}

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
   * insertDeliveries: one delivery per endpoint that wants this event (its type; its event, or every
   * event of its owner, or every event for an admin's). Idempotent: an event already fanned out adds none.
   */
  async insertDeliveries(
    tx: Tx,
    event: {
      outboxEventId: bigint;
      eventType: string;
      eventId: number | null;
      orderKey: string;
      payload: unknown;
    },
  ): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO webhook_delivery (id, endpoint_id, outbox_event_id, event_type, order_key, payload)
      SELECT gen_random_uuid(), e.id, ${event.outboxEventId}, ${event.eventType}, ${event.orderKey},
             ${JSON.stringify(event.payload)}::jsonb
      FROM webhook_endpoint e
      WHERE ${event.eventType} = ANY(e.event_types)
        AND (e.event_id = ${event.eventId}
             OR (e.event_id IS NULL AND (
               e.owner_id = (SELECT organizer_id FROM event WHERE id = ${event.eventId})
               OR EXISTS (SELECT 1 FROM user_account u WHERE u.id = e.owner_id AND u.role = 'ADMIN'))))
      ORDER BY e.id
      ON CONFLICT (endpoint_id, outbox_event_id) DO NOTHING
      RETURNING id`;
    return rows.map((row) => row.id);
  }

  /* deliveryToSend: a delivery with what sending it needs of its endpoint, in one round trip */
  async deliveryToSend(id: string): Promise<{ delivery: DeliveryRow; endpoint: SendingEndpoint } | null> {
    const [row] = await this.db.$queryRawUnsafe<(DeliveryRow & EndpointPart)[]>(
      `SELECT ${DELIVERY_COLUMNS}, e.url AS "e_url", e.secret AS "e_secret", e.previous_secret AS "e_previousSecret",
              e.previous_secret_expires_at AS "e_previousSecretExpiresAt", e.disabled_at AS "e_disabledAt"
       FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE d.id = $1::uuid`,
      id,
    );
    if (!row) return null;
    const { e_url, e_secret, e_previousSecret, e_previousSecretExpiresAt, e_disabledAt, ...delivery } = row;
    const endpoint = {
      id: delivery.endpointId,
      url: e_url,
      secret: e_secret,
      previousSecret: e_previousSecret,
      previousSecretExpiresAt: e_previousSecretExpiresAt,
      disabledAt: e_disabledAt,
    };
    return { delivery, endpoint };
  }

  /**
   * claimTurn: claims the delivery for one request of at most `leaseMs`, unless an earlier event of the
   * same order to the same endpoint is still pending (`waitingBehind`: when that one tries next) or another
   * worker holds the claim (`claimedUntil`), in one statement.
   */
  async claimTurn(
    delivery: DeliveryRow,
    leaseMs: number,
  ): Promise<{ claimed: boolean; waitingBehind: Date | null | undefined; claimedUntil: Date | null }> {
    const [row] = await this.db.$queryRaw<
      { earlier: boolean; earlierNext: Date | null; claimed: Date | null; other: Date | null }[]
    >`
      WITH earlier AS (
        SELECT next_attempt_at FROM webhook_delivery
        WHERE endpoint_id = ${delivery.endpointId}::uuid AND order_key = ${delivery.orderKey}
          AND outbox_event_id < ${delivery.outboxEventId} AND status = 'PENDING'
        ORDER BY outbox_event_id LIMIT 1
      ), claimed AS (
        UPDATE webhook_delivery SET sending_until = now() + make_interval(secs => ${leaseMs / 1000}::float8)
        WHERE id = ${delivery.id}::uuid AND status = 'PENDING'
          AND (sending_until IS NULL OR sending_until <= now()) AND NOT EXISTS (SELECT 1 FROM earlier)
        RETURNING sending_until
      )
      SELECT EXISTS (SELECT 1 FROM earlier) AS earlier, (SELECT next_attempt_at FROM earlier) AS "earlierNext",
             (SELECT sending_until FROM claimed) AS claimed,
             (SELECT sending_until FROM webhook_delivery WHERE id = ${delivery.id}::uuid) AS other`;
    return {
      claimed: Boolean(row?.claimed),
      waitingBehind: row?.earlier ? row.earlierNext : undefined,
      claimedUntil: row?.claimed ? null : (row?.other ?? null),
    };
  }

  /* laterPending: the deliveries of the same order to the same endpoint waiting behind this one */
  async laterPending(tx: Tx, delivery: DeliveryRow): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhook_delivery
      WHERE endpoint_id = ${delivery.endpointId}::uuid AND order_key = ${delivery.orderKey}
        AND outbox_event_id > ${delivery.outboxEventId} AND status = 'PENDING'
      ORDER BY outbox_event_id`;
    return rows.map((row) => row.id);
  }

  /* pendingOf: an endpoint's deliveries still to make, in order */
  async pendingOf(tx: Tx, endpointId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhook_delivery WHERE endpoint_id = ${endpointId}::uuid AND status = 'PENDING'
      ORDER BY outbox_event_id`;
    return rows.map((row) => row.id);
  }

  /* recordAttempt: the attempt's log row and the delivery's new state, in one transaction */
  async recordAttempt(
    tx: Tx,
    attempt: AttemptRow,
    next: { status: DeliveryStatus; nextAttemptAt: Date | null },
  ): Promise<void> {
    await tx.$executeRaw`
      WITH logged AS (
        INSERT INTO webhook_attempt (delivery_id, attempted_at, status_code, error, duration_ms)
        VALUES (${attempt.deliveryId}::uuid, ${attempt.attemptedAt}, ${attempt.statusCode}, ${attempt.error},
                ${attempt.durationMs})
      )
      UPDATE webhook_delivery
      SET attempts = attempts + 1, status = ${next.status}, next_attempt_at = ${next.nextAttemptAt},
          sending_until = NULL,
          last_status_code = ${attempt.statusCode}, last_error = ${attempt.error},
          delivered_at = CASE WHEN ${next.status} = 'DELIVERED' THEN now() ELSE delivered_at END
      WHERE id = ${attempt.deliveryId}::uuid`;
  }

  /* postpone: waits behind an earlier delivery (no attempt made) */
  async postpone(tx: Tx, id: string, until: Date): Promise<void> {
    await tx.$executeRaw`UPDATE webhook_delivery SET next_attempt_at = ${until} WHERE id = ${id}::uuid`;
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
