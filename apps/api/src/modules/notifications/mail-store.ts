import type { Db } from "../../infra/prisma.js";
import type { Tx } from "../../kernel/transactions.js";

// Every SQL statement of the mail pipeline (docs/notifications.md): what a mail says is read when it is
// planned (from the outbox event), its row is its exactly-once record, and its job sends it.

export const SEND_TASK = "mail.send";

export interface PlannedMail {
  recipient: string;
  userId: string | null;
  template: string;
  params: Record<string, unknown>;
}

/**
 * The jobs of mails just planned, in the transaction that plans them: one `mail.send` job per new row,
 * keyed by the row (a replanned event adds neither rows nor jobs).
 */
function addSendJobs(inserted: string) {
  return `SELECT graphile_worker.add_jobs(ARRAY(
      SELECT ROW('${SEND_TASK}', json_build_object('messageId', id::text), NULL, NULL, NULL,
                 '${SEND_TASK}:' || id, NULL, NULL)::graphile_worker.job_spec
      FROM ${inserted}))`;
}

/** Plans mails to named recipients (at most one per recipient and event: the unique key). */
export async function planMails(tx: Tx, outboxEventId: string, mails: PlannedMail[]): Promise<void> {
  if (mails.length === 0) return;
  await tx.$queryRawUnsafe(
    `WITH inserted AS (
       INSERT INTO mail_message (outbox_event_id, recipient, user_id, template, params)
       SELECT $1::bigint, m.recipient, m.user_id, m.template, m.params
       FROM jsonb_to_recordset($2::jsonb) AS m(recipient text, user_id uuid, template text, params jsonb)
       ON CONFLICT (outbox_event_id, recipient) DO NOTHING
       RETURNING id)
     ${addSendJobs("inserted")}`,
    outboxEventId,
    JSON.stringify(mails.map((mail) => ({ ...mail, user_id: mail.userId }))),
  );
}

/**
 * Plans one mail to every fan holding a valid ticket to the event (a sell-out's worth of rows and jobs
 * in one statement: nothing of it passes through this process).
 */
export async function planMailsToTicketHolders(
  tx: Tx,
  outboxEventId: string,
  eventId: number,
  template: string,
  params: Record<string, unknown>,
): Promise<number> {
  const [row] = await tx.$queryRawUnsafe<{ planned: number }[]>(
    `WITH holders AS (
       SELECT DISTINCT u.id, u.email FROM ticket t
       JOIN "order" o ON o.id = t.order_id
       JOIN user_account u ON u.id = o.user_id
       WHERE t.event_id = $2 AND t.status = 'VALID'
     ), inserted AS (
       INSERT INTO mail_message (outbox_event_id, recipient, user_id, template, params)
       SELECT $1::bigint, email, id, $3, $4::jsonb FROM holders
       ON CONFLICT (outbox_event_id, recipient) DO NOTHING
       RETURNING id
     ), jobs AS (${addSendJobs("inserted")})
     SELECT (SELECT count(*) FROM inserted)::int AS planned FROM jobs`,
    outboxEventId,
    eventId,
    template,
    JSON.stringify(params),
  );
  return row?.planned ?? 0;
}

export interface MailToSend {
  id: string;
  userId: string | null;
  outboxEventId: string;
  recipient: string;
  template: string;
  params: Record<string, unknown>;
  locale: string | null;
  createdAt: Date;
}

/**
 * Claims a pending mail for one send: none when it was sent (or given up), or while another worker's
 * claim (`claimMs`, longer than a send may take) still stands. A claim that lapsed was a crash mid-send.
 */
export async function claimMail(
  db: Db,
  id: string,
  claimMs: number,
): Promise<{ mail?: MailToSend; state: "CLAIMED" | "DONE" | "BUSY" }> {
  const [mail] = await db.$queryRaw<MailToSend[]>`
    UPDATE mail_message m SET sending_at = now(), attempts = attempts + 1
    WHERE m.id = ${id}::bigint AND m.status = 'PENDING'
      AND (m.sending_at IS NULL OR m.sending_at < now() - make_interval(secs => ${claimMs / 1000}::float8))
    RETURNING m.id::text, m.user_id::text AS "userId", m.outbox_event_id::text AS "outboxEventId", m.recipient, m.template, m.params,
              (SELECT locale FROM user_account u WHERE u.id = m.user_id) AS locale,
              m.created_at AS "createdAt"`;
  if (mail) return { mail, state: "CLAIMED" };
  const [row] = await db.$queryRaw<{ status: string }[]>`
    SELECT status FROM mail_message WHERE id = ${id}::bigint`;
  return { state: row?.status === "PENDING" ? "BUSY" : "DONE" };
}

export async function markSent(db: Db, id: string): Promise<void> {
  await db.$executeRaw`
    UPDATE mail_message SET status = 'SENT', sent_at = now(), sending_at = NULL, last_error = NULL
    WHERE id = ${id}::bigint`;
}

/** A failed try: the claim is released at once (the job's retry sends again); `final` gives up. */
export async function markFailed(db: Db, id: string, error: string, final: boolean): Promise<void> {
  await db.$executeRaw`
    UPDATE mail_message SET sending_at = NULL, last_error = ${error.slice(0, 500)},
      status = CASE WHEN ${final} THEN 'FAILED' ELSE status END
    WHERE id = ${id}::bigint`;
}

// --- What mails say (read when they are planned) ---

export interface EventFacts {
  id: number;
  name: string;
  startsAt: Date;
  venueName: string;
  city: string;
  timezone: string;
}

export async function eventFacts(db: Db, eventId: number): Promise<EventFacts | null> {
  const [row] = await db.$queryRaw<EventFacts[]>`
    SELECT e.id, e.name, e.starts_at AS "startsAt", v.name AS "venueName", v.city, v.timezone
    FROM event e JOIN venue v ON v.id = e.venue_id WHERE e.id = ${eventId}`;
  return row ?? null;
}

export interface Recipient {
  id: string;
  email: string;
  name: string | null;
}

export async function userFacts(db: Db, userId: string): Promise<Recipient | null> {
  const [row] = await db.$queryRaw<Recipient[]>`
    SELECT id, email, name FROM user_account WHERE id = ${userId}::uuid`;
  return row ?? null;
}

export interface OrderFacts {
  id: string;
  totalMinor: number;
  currency: string;
  tickets: {
    id: string;
    section: string;
    row: string;
    seat: number;
    standing: boolean;
    priceMinor: number;
  }[];
}

/** The order and the tickets named (all of the order's when none are). */
export async function orderFacts(db: Db, orderId: string, ticketIds?: string[]): Promise<OrderFacts | null> {
  const [order] = await db.$queryRaw<Omit<OrderFacts, "tickets">[]>`
    SELECT id, total_minor AS "totalMinor", currency FROM "order" WHERE id = ${orderId}::uuid`;
  if (!order) return null;
  const tickets = await db.$queryRaw<OrderFacts["tickets"]>`
    SELECT t.id, sec.name AS section, s.row_label AS row, s.number AS seat, sec.kind = 'STANDING' AS standing,
           t.price_minor AS "priceMinor"
    FROM ticket t JOIN seat s ON s.id = t.seat_id JOIN section sec ON sec.id = s.section_id
    WHERE t.order_id = ${orderId}::uuid
      AND (${ticketIds ?? null}::uuid[] IS NULL OR t.id = ANY(${ticketIds ?? null}::uuid[]))
    ORDER BY sec.sort_order, s.row_rank, s.number`;
  return { ...order, tickets };
}
