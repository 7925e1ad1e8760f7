"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { loginHref } from "@/auth/return-path";
import { useViewer } from "@/auth/use-viewer";
import layout from "@/components/layout.module.css";
import { formatCount, formatCountdown, formatEventDate, formatEventTime } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { formatAttempts, formatEtaRange, formatTimeLeft, queueProgress } from "./queue-format";
import { type JoinPhase, type QueueStatus, useWaitingRoom, type WaitingRoom } from "./use-waiting-room";
import styles from "./waiting-room.module.css";

export interface WaitingRoomEvent {
  id: string;
  saleStartsAt: string;
  /** The venue's, for dates shown to the fan. */
  timeZone: string;
}

export interface Admission {
  /** Null once the shopping window is over (the fan's holds stay visible, new holds are refused). */
  admissionToken: string | null;
  /** Refreshes the fan's status, e.g. after a hold answered NOT_ADMITTED. */
  recheck: () => void;
}

interface WaitingRoomGateProps {
  event: WaitingRoomEvent;
  /** The seat selection, shown once the room admits the fan. */
  children: (admission: Admission) => ReactNode;
}

// A screen reader hears the position at most this often (and at once when the state changes).
const ANNOUNCE_EVERY_MS = 20_000;

export const auditHref = (eventId: string, entryId: string | null) =>
  `/events/${encodeURIComponent(eventId)}/queue/audit${entryId ? `?entry=${encodeURIComponent(entryId)}` : ""}`;

/** For events that sell through the waiting room: the fan's place in it until admitted, then the seats. */
export function WaitingRoomGate({ event, children }: WaitingRoomGateProps) {
  const { viewer, loading } = useViewer();
  const room = useWaitingRoom(event.id, viewer !== null);
  const { status } = room;
  const wasAdmitted = useWasAdmitted(status);

  if (loading) return <RoomCard title="Waiting room">Checking your place…</RoomCard>;
  if (!viewer) return <SignedOutCard event={event} />;
  if (room.problem && !status) {
    return (
      <RoomCard title={room.problem.title} tone="error">
        <p>{room.problem.message}</p>
        <button type="button" className="button" onClick={room.retry}>
          Try again
        </button>
      </RoomCard>
    );
  }
  if (!status) return <RoomCard title="Waiting room">Finding your place…</RoomCard>;
  if (status.state === "ADMITTED" && status.admissionToken) {
    return (
      <div className={styles.admitted} data-queue-state="ADMITTED">
        <AdmittedBanner status={status} onWindowOver={room.refresh} />
        {children({ admissionToken: status.admissionToken, recheck: room.refresh })}
      </div>
    );
  }
  return (
    <>
      <RoomPanel event={event} room={room} status={status} />
      {/* Seats held during the shopping window stay theirs until the hold ends: keep them in view. */}
      {wasAdmitted && status.state === "EXPIRED"
        ? children({ admissionToken: null, recheck: room.refresh })
        : null}
    </>
  );
}

/** True once the fan has been admitted while this page was open. */
function useWasAdmitted(status: QueueStatus | null): boolean {
  const [admitted, setAdmitted] = useState(false);
  if (!admitted && status?.state === "ADMITTED") setAdmitted(true);
  return admitted;
}

function RoomCard({ title, tone, children }: { title: string; tone?: "error"; children: ReactNode }) {
  return (
    <section
      className={`${styles.room} ${tone === "error" ? styles.error : ""}`}
      aria-labelledby="waiting-room-heading"
      role={tone === "error" ? "alert" : undefined}
    >
      <h3 id="waiting-room-heading">{title}</h3>
      <div className={styles.body}>{children}</div>
    </section>
  );
}

function SignedOutCard({ event }: { event: WaitingRoomEvent }) {
  const pathname = usePathname();
  return (
    <RoomCard title="This on-sale uses a fair waiting room">
      <p>
        Everyone gets one place per account. Fans who join before the sale opens are put in a random order
        when it opens, so there is no need to rush; later fans are let in first come, first served.
      </p>
      <SaleOpens event={event} />
      <Link className="button" href={loginHref(pathname)}>
        Log in to join
      </Link>
    </RoomCard>
  );
}

function SaleOpens({ event, drawing = false }: { event: WaitingRoomEvent; drawing?: boolean }) {
  const opensAt = Date.parse(event.saleStartsAt);
  const now = useNow(true);
  if (now === 0) return null;
  // The countdown is over but the room has not placed the fan yet: the leader draws on its next tick.
  if (opensAt <= now)
    return drawing ? <p className={styles.saleOpens}>The sale is open: drawing the order…</p> : null;
  return (
    <p className={styles.saleOpens}>
      Sale opens {formatEventDate(event.saleStartsAt, event.timeZone)} at{" "}
      {formatEventTime(event.saleStartsAt, event.timeZone)}:{" "}
      <strong role="timer" aria-live="off" data-sale-countdown>
        {formatTimeLeft(opensAt - now)}
      </strong>
    </p>
  );
}

/** What the views of a fan's place in the room are drawn from. */
interface RoomViewProps {
  event: WaitingRoomEvent;
  room: WaitingRoom;
  status: QueueStatus;
}

function RoomPanel({ event, room, status }: RoomViewProps) {
  const announcement = useThrottledAnnouncement(describeForScreenReader(status), status.state);
  return (
    <section
      className={styles.room}
      aria-labelledby="waiting-room-heading"
      data-queue-state={status.state}
      data-live-status={room.connection.status}
    >
      <h3 id="waiting-room-heading">{headingFor(status)}</h3>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {status.paused ? (
        <p className={styles.paused} role="status">
          <strong>Admissions are paused for a moment.</strong> The organizer stopped letting fans in; you keep
          your place and the line moves again when they resume.
        </p>
      ) : null}
      <div className={styles.body}>
        {status.state === "PRE_QUEUE" ? (
          <PreQueue event={event} status={status} />
        ) : status.state === "WAITING" ? (
          <Waiting status={status} firstPosition={room.firstPosition} />
        ) : (
          <NotInRoom event={event} room={room} status={status} />
        )}
        {room.actionProblem ? (
          <div className={styles.problem} role="alert">
            <strong>{room.actionProblem.title}</strong>
            <p>{room.actionProblem.message}</p>
          </div>
        ) : null}
        {status.state === "PRE_QUEUE" || status.state === "WAITING" ? (
          <>
            <p className={styles.keepOpen}>
              <strong>Keep this tab open.</strong> Your page tells the waiting room you are still here every
              few seconds; fans whose page goes quiet lose their turn. You don't need to reload.
            </p>
            <div className={styles.actions}>
              <button
                type="button"
                className="button button-secondary"
                onClick={room.leave}
                disabled={room.leaving}
              >
                {room.leaving ? "Leaving…" : "Leave the waiting room"}
              </button>
              <Link href={auditHref(event.id, status.entryId)}>How the draw is checked</Link>
            </div>
          </>
        ) : null}
        {room.connection.status === "reconnecting" ? (
          <p className={layout.muted}>
            Live updates are reconnecting; your position still refreshes every few seconds.
          </p>
        ) : null}
      </div>
    </section>
  );
}

function headingFor(status: QueueStatus): string {
  switch (status.state) {
    case "PRE_QUEUE":
      return "You're in the pre-queue";
    case "WAITING":
      return "You're in line";
    case "EXPIRED":
      return "Your turn has ended";
    case "REJOIN":
      return "Please join the waiting room again";
    default:
      return "Join the waiting room";
  }
}

function describeForScreenReader(status: QueueStatus): string {
  if (status.state === "WAITING" && status.position !== null) {
    const eta = formatEtaRange(status);
    return `You are number ${formatCount(status.position)} in line${eta ? `, estimated wait ${eta}` : ""}.`;
  }
  return headingFor(status);
}

/** The live region's text: changes of state at once, position updates at most every ANNOUNCE_EVERY_MS. */
function useThrottledAnnouncement(text: string, state: string): string {
  const [announced, setAnnounced] = useState(text);
  const last = useRef({ at: 0, state });
  useEffect(() => {
    const wait = state !== last.current.state ? 0 : last.current.at + ANNOUNCE_EVERY_MS - Date.now();
    const announce = () => {
      last.current = { at: Date.now(), state };
      setAnnounced(text);
    };
    if (wait <= 0) {
      announce();
      return;
    }
    // The latest text is announced when its turn comes, even if nothing changes after it.
    const timer = setTimeout(announce, wait);
    return () => clearTimeout(timer);
  }, [text, state]);
  return announced;
}

function PreQueue({ event, status }: { event: WaitingRoomEvent; status: QueueStatus }) {
  return (
    <>
      <p>
        You joined before the sale opened, so your place is <strong>drawn by lot</strong> when it opens:
        everyone in the pre-queue has the same chance, whenever they arrived. The draw uses a seed the waiting
        room committed to in advance, and anyone can check it afterwards.
      </p>
      <SaleOpens event={{ ...event, saleStartsAt: status.saleStartsAt }} drawing />
      <p className={layout.muted}>
        {formatCount(status.waitingCount)} {status.waitingCount === 1 ? "fan is" : "fans are"} in the
        pre-queue so far. When the sale opens you get your position and an estimated wait here, then the seat
        map when it is your turn.
      </p>
    </>
  );
}

function Waiting({ status, firstPosition }: { status: QueueStatus; firstPosition: number | null }) {
  const position = status.position ?? 0;
  const progress = queueProgress(position, firstPosition ?? position);
  const eta = formatEtaRange(status);
  return (
    <>
      <p className={styles.position}>
        <span>Your position</span>
        <strong data-queue-position={position}>{formatCount(position)}</strong>
        <span className={layout.muted}>of {formatCount(status.waitingCount)} waiting</span>
      </p>
      <div
        className={styles.progress}
        role="progressbar"
        aria-label="Your progress through the line"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(progress * 100)}
      >
        <span style={{ width: `${Math.max(2, progress * 100)}%` }} />
      </div>
      <p>
        {eta ? (
          <>
            Estimated wait: <strong data-queue-eta>{eta}</strong>
          </>
        ) : (
          "Estimating your wait…"
        )}
      </p>
      {status.etaNote ? (
        <p className={styles.etaNote} role="status">
          {status.etaNote}
        </p>
      ) : null}
      <p className={layout.muted}>
        When it's your turn, the seat map opens here by itself with a shopping window to hold your seats.
      </p>
    </>
  );
}

function NotInRoom({ event, room, status }: RoomViewProps) {
  const beforeSale = Date.parse(status.saleStartsAt) > Date.now();
  const busy = room.joinPhase.step !== "idle";
  return (
    <>
      {status.state === "EXPIRED" ? (
        <p>
          Your shopping window ran out, or your page stopped checking in for too long, so your turn went to
          the next fan. You can join again: you go to the back of the line.
        </p>
      ) : status.state === "REJOIN" ? (
        <p role="status">
          <strong>The waiting room restarted after a technical problem and lost its line</strong>, so your
          place could not be kept. Everyone who was waiting is asked to join again:{" "}
          {beforeSale
            ? "you are back in the lottery, with the same chance as everyone, as long as you join before the sale opens."
            : "places are given again in the order fans rejoin, so join now."}
        </p>
      ) : beforeSale ? (
        <p>
          Join now: when the sale opens, everyone who joined before then is put in a{" "}
          <strong>random order</strong> (a lottery anyone can check), so joining early gives no edge and no
          one has to rush.
        </p>
      ) : (
        <p>
          Fans are let in a few at a time so that everyone gets a fair go at the seats. Join and you are
          placed at the back of the line: first come, first served.
        </p>
      )}
      {beforeSale ? <SaleOpens event={{ ...event, saleStartsAt: status.saleStartsAt }} /> : null}
      <p className={layout.muted}>
        {formatCount(status.waitingCount)} {status.waitingCount === 1 ? "fan is" : "fans are"}{" "}
        {beforeSale ? "in the pre-queue" : "waiting"}.
        {status.proofOfWorkDifficulty > 0
          ? " To keep bots out, your browser first solves a short puzzle; it takes a few seconds."
          : ""}
      </p>
      <JoinProgress phase={room.joinPhase} />
      <div className={styles.actions}>
        <button type="button" className="button" onClick={room.join} disabled={busy}>
          {busy
            ? "Joining…"
            : status.state === "EXPIRED" || status.state === "REJOIN"
              ? "Join again"
              : "Join the waiting room"}
        </button>
        {room.joinPhase.step === "solving" ? (
          <button type="button" className="button button-secondary" onClick={room.cancelJoin}>
            Cancel
          </button>
        ) : null}
      </div>
    </>
  );
}

function JoinProgress({ phase }: { phase: JoinPhase }) {
  if (phase.step === "challenge") return <p className={layout.muted}>Getting the puzzle…</p>;
  if (phase.step !== "solving") return null;
  // The search is random: the bar approaches but never claims certainty before the answer is found.
  const share = 1 - Math.exp(-phase.attempts / phase.expected);
  return (
    <div className={styles.proofOfWork} data-proof-of-work>
      <p>Proving you're not a bot…</p>
      <div
        className={styles.progress}
        role="progressbar"
        aria-label="Solving the anti-bot puzzle"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
        aria-valuetext={formatAttempts(phase.attempts, phase.expected)}
      >
        <span style={{ width: `${share * 100}%` }} />
      </div>
      <p className={layout.muted}>{formatAttempts(phase.attempts, phase.expected)}</p>
    </div>
  );
}

function AdmittedBanner({ status, onWindowOver }: { status: QueueStatus; onWindowOver: () => void }) {
  const now = useNow(status.admittedUntil !== null);
  const until = status.admittedUntil ? Date.parse(status.admittedUntil) : null;
  const remaining = until === null || now === 0 ? null : until - now;
  const over = remaining !== null && remaining <= 0;
  useEffect(() => {
    if (over) onWindowOver();
  }, [over, onWindowOver]);
  return (
    <div className={styles.admittedBanner} role="status">
      <div>
        <strong>It's your turn!</strong>
        <p>Pick your seats and hold them before your shopping window closes.</p>
      </div>
      {remaining !== null ? (
        <p className={styles.window}>
          <span>Shopping window</span>
          <strong role="timer" aria-live="off" data-admitted-remaining-ms={remaining}>
            {formatCountdown(remaining)}
          </strong>
        </p>
      ) : null}
    </div>
  );
}
