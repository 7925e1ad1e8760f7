import type { OrderStatus } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";

// Every SQL statement of ticket delivery (PDF, Wallet): what a printed ticket says about its order.

/** An order with what its printed tickets show of the event and the venue. */
export interface OrderDeliveryRow {
  orderId: string;
  status: OrderStatus;
  userId: string;
  eventId: number;
  eventName: string;
  startsAt: Date;
  staticCodesEnabled: boolean;
  venueName: string;
  venueCity: string;
  venueAddress: string;
  timezone: string;
}

export async function orderForDelivery(db: Db, orderId: string): Promise<OrderDeliveryRow | null> {
  const [row] = await db.$queryRaw<OrderDeliveryRow[]>`
    SELECT o.id AS "orderId", o.status, o.user_id AS "userId", e.id AS "eventId", e.name AS "eventName",
           e.starts_at AS "startsAt", e.static_codes_enabled AS "staticCodesEnabled",
           v.name AS "venueName", v.city AS "venueCity", v.address AS "venueAddress", v.timezone
    FROM "order" o JOIN event e ON e.id = o.event_id JOIN venue v ON v.id = e.venue_id
    WHERE o.id = ${orderId}::uuid`;
  return row ?? null;
}
