"use client";

import { useLazyQuery, useMutation, useQuery } from "@apollo/client/react";
import type { IScannerControls } from "@zxing/browser";
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import layout from "@/components/layout.module.css";
import { ProblemNotice } from "@/components/notice";
import {
  CheckInTicketDocument,
  DoorStatusDocument,
  DoorTicketsDocument,
  ScanTicketDocument,
} from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import { formatCount } from "@/lib/format";
import styles from "./door.module.css";

type Result = "VALID" | "ALREADY_USED" | "INVALID" | "VOID";
interface Verdict {
  result: Result;
  message: string;
  seat?: string;
}

const WORDS: Record<Result, string> = {
  VALID: "VALID",
  ALREADY_USED: "ALREADY USED",
  INVALID: "INVALID",
  VOID: "VOID",
};
/** The same code seen again within this time is the camera seeing one ticket twice, not a second scan. */
const REPEAT_MS = 3_000;

/** The check-in page: camera scan (ZXing), typed or hand-scanner codes, the verdict big, sold vs scanned. */
export function DoorScanner({ eventId }: { eventId: string }) {
  const { data, error, refetch } = useQuery(DoorStatusDocument, {
    variables: { eventId },
    ssr: false,
    fetchPolicy: "network-only",
    pollInterval: 5_000,
  });
  const [scan] = useMutation(ScanTicketDocument);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const last = useRef<{ code: string; at: number } | null>(null);

  const check = useCallback(
    async (code: string) => {
      const now = Date.now();
      if (last.current && last.current.code === code && now - last.current.at < REPEAT_MS) return;
      last.current = { code, at: now };
      try {
        const result = await scan({ variables: { code } });
        const answer = result.data?.verifyTicket;
        if (!answer) return;
        const seat = answer.ticket?.seat;
        setVerdict({
          result: answer.result,
          message: answer.message,
          seat: seat ? `${seat.section} · row ${seat.row} · seat ${seat.number}` : undefined,
        });
        void refetch();
      } catch (problem) {
        setVerdict({
          result: "INVALID",
          message: graphQLErrorDetails(problem)?.message ?? describeApiError(problem).message,
        });
      }
    },
    [scan, refetch],
  );

  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const status = data?.doorStatus;
  return (
    <div className={styles.page}>
      <header>
        <h1 className={layout.title}>{status ? status.name : "Check-in"}</h1>
        <p className={styles.counts} aria-live="polite">
          Scanned <strong data-figure="checked-in">{formatCount(status?.checkedIn ?? 0)}</strong> of{" "}
          <strong data-figure="sold">{formatCount(status?.sold ?? 0)}</strong> sold
        </p>
      </header>
      <VerdictPanel verdict={verdict} />
      <Camera onCode={check} />
      <TypedCode onCode={check} />
      <ManualSearch
        eventId={eventId}
        onCheckedIn={(answer) => {
          setVerdict(answer);
          void refetch();
        }}
      />
    </div>
  );
}

function VerdictPanel({ verdict }: { verdict: Verdict | null }) {
  return (
    <output
      className={`${styles.verdict} ${verdict ? styles[verdict.result] : ""}`}
      aria-live="assertive"
      data-verdict={verdict?.result ?? "NONE"}
    >
      <span className={styles.verdictWord}>{verdict ? WORDS[verdict.result] : "Ready to scan"}</span>
      {verdict ? <span>{verdict.message}</span> : null}
      {verdict?.seat ? <span>{verdict.seat}</span> : null}
    </output>
  );
}

/** The device camera, decoded by ZXing (@zxing/browser); off until asked for. */
function Camera({ onCode }: { onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!on || !video.current) return;
    let controls: IScannerControls | undefined;
    let cancelled = false;
    void import("@zxing/browser")
      .then(async ({ BrowserQRCodeReader }) => {
        const reader = new BrowserQRCodeReader();
        const started = await reader.decodeFromVideoDevice(
          undefined,
          video.current as HTMLVideoElement,
          (result) => {
            if (result) onCode(result.getText());
          },
        );
        if (cancelled) started.stop();
        else controls = started;
      })
      .catch((error: unknown) => {
        setProblem(error instanceof Error ? error.message : "The camera could not start");
        setOn(false);
      });
    return () => {
      cancelled = true;
      controls?.stop();
    };
  }, [on, onCode]);

  return (
    <section aria-label="Camera" className={styles.camera}>
      <video ref={video} className={on ? styles.video : styles.hidden} muted playsInline />
      <button
        type="button"
        className="button"
        onClick={() => {
          setProblem(null);
          setOn(!on);
        }}
      >
        {on ? "Stop camera" : "Scan with the camera"}
      </button>
      {problem ? <p role="alert">{problem}</p> : null}
    </section>
  );
}

/** A code typed, pasted or sent by a hand scanner (which types it and presses Enter). */
function TypedCode({ onCode }: { onCode: (code: string) => void }) {
  const id = useId();
  const [code, setCode] = useState("");
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (code.trim()) onCode(code.trim());
    setCode("");
  };
  return (
    <form onSubmit={submit} className={styles.row}>
      <label htmlFor={`${id}-code`}>Ticket code</label>
      <input
        id={`${id}-code`}
        value={code}
        autoComplete="off"
        onChange={(event) => setCode(event.target.value)}
      />
      <button type="submit" className="button button-secondary">
        Check
      </button>
    </form>
  );
}

/** Tickets that will not scan: found by the buyer's name or e-mail, or the order id, then checked in. */
function ManualSearch({
  eventId,
  onCheckedIn,
}: {
  eventId: string;
  onCheckedIn: (verdict: Verdict) => void;
}) {
  const id = useId();
  const [search, setSearch] = useState("");
  const [find, { data, error, loading }] = useLazyQuery(DoorTicketsDocument, { fetchPolicy: "network-only" });
  const [checkIn] = useMutation(CheckInTicketDocument);
  const fieldError =
    graphQLErrorDetails(error)?.code === "BAD_USER_INPUT" ? graphQLErrorDetails(error)?.message : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void find({ variables: { eventId, search } });
  };
  const admit = async (ticketId: string, seat: string) => {
    try {
      const result = await checkIn({ variables: { ticketId } });
      const answer = result.data?.checkInTicket;
      if (answer) onCheckedIn({ result: answer.result, message: answer.message, seat });
      void find({ variables: { eventId, search } });
    } catch (problem) {
      onCheckedIn({ result: "INVALID", message: graphQLErrorDetails(problem)?.message ?? "Check-in failed" });
    }
  };
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Find a ticket</h2>
      <form onSubmit={submit} className={styles.row}>
        <label htmlFor={`${id}-search`}>Name, e-mail or order id</label>
        <input
          id={`${id}-search`}
          type="search"
          value={search}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${id}-error` : undefined}
          onChange={(event) => setSearch(event.target.value)}
        />
        <button type="submit" className="button button-secondary" disabled={loading}>
          Search
        </button>
      </form>
      {fieldError ? (
        <p id={`${id}-error`} role="alert">
          {fieldError}
        </p>
      ) : null}
      <ul className={styles.results}>
        {data?.doorTickets.map((ticket) => {
          const seat = `${ticket.section} · row ${ticket.row} · seat ${ticket.number}`;
          return (
            <li key={ticket.ticketId}>
              <span>
                <strong>{ticket.buyerName ?? ticket.buyerEmail}</strong> {seat} · order{" "}
                {ticket.orderId.slice(0, 8)}
                {ticket.status === "VOID" ? " · VOID" : ticket.usedAt ? " · already used" : ""}
              </span>
              {ticket.status === "VALID" && !ticket.usedAt ? (
                <button type="button" className="button" onClick={() => void admit(ticket.ticketId, seat)}>
                  Check in
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
