import layout from "@/components/layout.module.css";
import type { OrderFieldsFragment } from "@/gql/graphql";
import { formatDateTime, formatMoney } from "@/lib/format";
import { sectionTitle } from "@/seating/seat-layout";
import styles from "./orders.module.css";
import { TicketQr } from "./ticket-qr";

type Ticket = OrderFieldsFragment["tickets"][number];

interface TicketCardProps {
  ticket: Ticket;
  /** The current time (ms), ticking each second; 0 before the browser knows it. */
  now: number;
  /** When the current codes arrived: the ring is full then and empty at the code's expiry. */
  codesReceivedAt: number;
  /** The venue's: every time a fan reads is the venue's. */
  timeZone: string;
}

/** One ticket: its seat, and its QR code with a ring counting down to the next code, or "Void". */
export function TicketCard({ ticket, now, codesReceivedAt, timeZone }: TicketCardProps) {
  const { seat } = ticket;
  const seatName = `${sectionTitle(seat.section)}, row ${seat.row}, seat ${seat.number}`;
  const valid = ticket.status === "VALID";
  return (
    <article
      className={`${styles.ticket} ${valid ? "" : styles.ticketVoid}`}
      aria-label={`Ticket: ${seatName}`}
      data-ticket-id={ticket.id}
      data-ticket-status={ticket.status}
    >
      <div className={styles.ticketCode}>
        {valid ? (
          <TicketQr code={ticket.code} label={`Entry code for ${seatName}`} />
        ) : (
          <div className={styles.voidStamp} role="img" aria-label="Void ticket: no entry code">
            Void
          </div>
        )}
      </div>
      <div className={styles.ticketBody}>
        <p className={styles.seatName}>
          <span>{sectionTitle(seat.section)}</span>
          <strong>
            Row {seat.row} · Seat {seat.number}
          </strong>
        </p>
        <p className={layout.muted}>{formatMoney(ticket.price.amount, ticket.price.currency)}</p>
        {valid ? (
          <>
            {ticket.usedAt ? (
              <p className={styles.used}>Scanned {formatDateTime(ticket.usedAt, timeZone)}</p>
            ) : null}
            <RefreshRing
              expiresAt={Date.parse(ticket.codeExpiresAt)}
              receivedAt={codesReceivedAt}
              now={now}
            />
            <WalletLinks ticket={ticket} seatName={seatName} />
          </>
        ) : (
          <p className={styles.voidNote}>This ticket is void and will not get you in.</p>
        )}
      </div>
    </article>
  );
}

/** "Add to Apple Wallet" / "Add to Google Wallet", only where the API can make passes. */
function WalletLinks({ ticket, seatName }: { ticket: Ticket; seatName: string }) {
  if (!ticket.appleWalletUrl && !ticket.googleWalletUrl) return null;
  return (
    <p className={styles.walletLinks}>
      {ticket.appleWalletUrl ? (
        <a href={ticket.appleWalletUrl} aria-label={`Add ${seatName} to Apple Wallet`}>
          Add to Apple Wallet
        </a>
      ) : null}
      {ticket.googleWalletUrl ? (
        <a href={ticket.googleWalletUrl} aria-label={`Add ${seatName} to Google Wallet`}>
          Add to Google Wallet
        </a>
      ) : null}
    </p>
  );
}

const RING_RADIUS = 8;
const RING_LENGTH = 2 * Math.PI * RING_RADIUS;

/** "Refreshes in 12 s", with a ring that empties as the code gets older. */
function RefreshRing({ expiresAt, receivedAt, now }: { expiresAt: number; receivedAt: number; now: number }) {
  if (now === 0 || receivedAt === 0) return null;
  const remaining = Math.max(0, expiresAt - now);
  const lifetime = Math.max(1_000, expiresAt - receivedAt);
  const left = Math.min(1, remaining / lifetime);
  const seconds = Math.ceil(remaining / 1000);
  return (
    // Not a live region: announcing every second would drown out everything else.
    <p className={styles.refresh} data-refreshes-in={seconds}>
      <svg viewBox="0 0 20 20" aria-hidden="true" className={styles.ring}>
        <circle cx="10" cy="10" r={RING_RADIUS} className={styles.ringTrack} />
        <circle
          cx="10"
          cy="10"
          r={RING_RADIUS}
          className={styles.ringLeft}
          strokeDasharray={RING_LENGTH}
          strokeDashoffset={RING_LENGTH * (1 - left)}
        />
      </svg>
      {seconds > 0 ? `New code in ${seconds} s` : "Getting a new code…"}
    </p>
  );
}
