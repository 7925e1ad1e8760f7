import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import type { TicketParams } from "./templates/content.js";

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
 * The jobs of mails just planned, in the statement that plans them: one `mail.send` job per new row,
 * keyed by the row (a replanned event adds neither rows nor jobs).
 */
function addSendJobs(inserted: string) {
  return `SELECT graphile_worker.add_jobs(ARRAY(
      SELECT ROW('${SEND_TASK}', json_build_object('messageId', id::text), NULL, NULL, NULL,
                 '${SEND_TASK}:' || id, NULL, NULL)::graphile_worker.job_spec
      FROM ${inserted}))`;
}

/** A mail planned for an outbox event. */
export interface PlannedMailOf extends PlannedMail {
  outboxEventId: string;
}

const PLAN_MAILS: PreparedStatement = {
  name: "mail.plan",
  text: `
    WITH inserted AS (
      INSERT INTO mail_message (outbox_event_id, recipient, user_id, template, params)
      SELECT m.outbox_event_id, m.recipient, m.user_id, m.template, m.params
      FROM jsonb_to_recordset($1::jsonb)
        AS m(outbox_event_id bigint, recipient text, user_id uuid, template text, params jsonb)
      ON CONFLICT (outbox_event_id, recipient) DO NOTHING
      RETURNING id)
    ${addSendJobs("inserted")}`,
};

/**
 * Plans mails, the events of a whole relay batch at once, in one statement (so all or none): at most one
 * per recipient and event (the unique key), each with its send job.
 */
export async function planMails(pool: SqlPool, mails: PlannedMailOf[]): Promise<void> {
  if (mails.length === 0) return;
  const rows = mails.map((mail) => ({
    outbox_event_id: mail.outboxEventId,
    recipient: mail.recipient,
    user_id: mail.userId,
    template: mail.template,
    params: mail.params,
  }));
  await queryPrepared(pool, PLAN_MAILS, [JSON.stringify(rows)]);
}

const PLAN_MAILS_TO_TICKET_HOLDERS: PreparedStatement = {
  name: "mail.plan-ticket-holders",
  text: `
    WITH holders AS (
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
};

/**
 * Plans one mail to every fan holding a valid ticket to the event (a sell-out's worth of rows and jobs
 * in one statement: nothing of it passes through this process).
 */
export async function planMailsToTicketHolders(
  pool: SqlPool,
  outboxEventId: string,
  eventId: number,
  template: string,
  params: Record<string, unknown>,
): Promise<number> {
  const [row] = await queryPrepared<{ planned: number }>(pool, PLAN_MAILS_TO_TICKET_HOLDERS, [
    outboxEventId,
    eventId,
    template,
    JSON.stringify(params),
  ]);
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

const CLAIM_MAIL: PreparedStatement = {
  name: "mail.claim",
  text: `
    WITH claimed AS (
      UPDATE mail_message m SET sending_at = now(), attempts = attempts + 1
      WHERE m.id = $1::bigint AND m.status = 'PENDING'
        AND (m.sending_at IS NULL OR m.sending_at < now() - make_interval(secs => $2::float8))
      RETURNING m.*
    )
    SELECT 'CLAIMED' AS state, c.id::text, c.user_id::text AS "userId", c.outbox_event_id::text AS "outboxEventId",
           c.recipient, c.template, c.params, u.locale, c.created_at AS "createdAt"
    FROM claimed c LEFT JOIN user_account u ON u.id = c.user_id
    UNION ALL
    SELECT CASE WHEN m.status = 'PENDING' THEN 'BUSY' ELSE 'DONE' END, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM mail_message m WHERE m.id = $1::bigint AND NOT EXISTS (SELECT FROM claimed)`,
};

/**
 * Claims a pending mail for one send, in one statement: DONE when it was sent (or given up, or is gone),
 * BUSY while another worker's claim (`claimMs`, longer than a send may take) still stands. A claim that
 * lapsed was a crash mid-send.
 */
export async function claimMail(
  pool: SqlPool,
  id: string,
  claimMs: number,
): Promise<{ mail?: MailToSend; state: "CLAIMED" | "DONE" | "BUSY" }> {
  const [row] = await queryPrepared<MailToSend & { state: "CLAIMED" | "DONE" | "BUSY" }>(pool, CLAIM_MAIL, [
    id,
    claimMs / 1000,
  ]);
  if (!row) return { state: "DONE" };
  const { state, ...mail } = row;
  return state === "CLAIMED" ? { mail, state } : { state };
}

const MARK_SENT: PreparedStatement = {
  name: "mail.sent",
  text: `
    UPDATE mail_message SET status = 'SENT', sent_at = now(), sending_at = NULL, last_error = NULL
    WHERE id = $1::bigint`,
};

export async function markSent(pool: SqlPool, id: string): Promise<void> {
  await queryPrepared(pool, MARK_SENT, [id]);
}

const MARK_FAILED: PreparedStatement = {
  name: "mail.failed",
  text: `
    UPDATE mail_message SET sending_at = NULL, last_error = $2,
      status = CASE WHEN $3::boolean THEN 'FAILED' ELSE status END
    WHERE id = $1::bigint`,
};

/** A failed try: the claim is released at once (the job's retry sends again); `final` gives up. */
export async function markFailed(pool: SqlPool, id: string, error: string, final: boolean): Promise<void> {
  await queryPrepared(pool, MARK_FAILED, [id, error.slice(0, 500), final]);
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

export interface Recipient {
  id: string;
  email: string;
  name: string | null;
}

export interface OrderFacts {
  id: string;
  totalMinor: number;
  currency: string;
  /** Seats in section, row and seat order, then standing places (no row or seat). */
  tickets: (TicketParams & { id: string })[];
}

/** What a batch of outbox events' mails say, by id. */
export interface MailFacts {
  users: Map<string, Recipient>;
  events: Map<number, EventFacts>;
  orders: Map<string, OrderFacts>;
}

export interface MailFactsWanted {
  userIds: string[];
  eventIds: number[];
  orderIds: string[];
}

// One round trip for a whole relay batch (each mail read its user, event, order and tickets apart: four
// statements a confirmation, on a checkout's critical resource, Postgres). JSON keeps the three lists in
// one row; a standing place's ticket has no seat, so its section is its area.
const MAIL_FACTS: PreparedStatement = {
  name: "mail.facts",
  text: `
    SELECT
      (SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name)), '[]')
       FROM user_account u WHERE u.id = ANY($1::uuid[])) AS users,
      (SELECT coalesce(json_agg(json_build_object(
                'id', e.id, 'name', e.name, 'startsAt', e.starts_at, 'venueName', v.name, 'city', v.city,
                'timezone', v.timezone)), '[]')
       FROM event e JOIN venue v ON v.id = e.venue_id WHERE e.id = ANY($2::bigint[])) AS events,
      (SELECT coalesce(json_agg(json_build_object(
                'id', o.id, 'totalMinor', o.total_minor, 'currency', o.currency,
                'tickets', (
                  SELECT coalesce(json_agg(json_build_object(
                           'id', t.id, 'section', sec.name, 'row', s.row_label, 'seat', s.number,
                           'standing', sec.kind = 'STANDING', 'priceMinor', t.price_minor)
                         ORDER BY s.id IS NULL, sec.sort_order, s.row_rank, s.number, t.id), '[]')
                  FROM ticket t
                  LEFT JOIN seat s ON s.id = t.seat_id
                  JOIN section sec ON sec.id = coalesce(s.section_id, t.area_id)
                  WHERE t.order_id = o.id))), '[]')
       FROM "order" o WHERE o.id = ANY($3::uuid[])) AS orders`,
};

type EventFactsRow = Omit<EventFacts, "startsAt"> & { startsAt: string };

export async function mailFacts(pool: SqlPool, wanted: MailFactsWanted): Promise<MailFacts> {
  const [row] = await queryPrepared<{ users: Recipient[]; events: EventFactsRow[]; orders: OrderFacts[] }>(
    pool,
    MAIL_FACTS,
    [wanted.userIds, wanted.eventIds, wanted.orderIds],
  );
  return {
    users: new Map((row?.users ?? []).map((user) => [user.id, user])),
    events: new Map(
      (row?.events ?? []).map((event) => [event.id, { ...event, startsAt: new Date(event.startsAt) }]),
    ),
    orders: new Map((row?.orders ?? []).map((order) => [order.id, order])),
  };
}
