"use client";

import { useState } from "react";
import { formatCountdown } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import styles from "./holds.module.css";

const WARNING_MS = 60_000;

export interface HoldTimeLeft {
  /** Milliseconds left, or null before the browser knows the time (server render, hydration). */
  remaining: number | null;
  expired: boolean;
  /** Less than a minute left. */
  warning: boolean;
}

/** The live time left on a hold, ticking every second until it runs out. */
export function useHoldTimeLeft(expiresAt: string, holdSeconds: number): HoldTimeLeft {
  // A browser clock running slow would show a hold as longer than it is: it can never be longer than
  // the event's hold time from now. (A fast clock only makes the countdown end a little early.)
  const [deadline] = useState(() => Math.min(Date.parse(expiresAt), Date.now() + holdSeconds * 1000));
  const now = useNow(true);
  const remaining = now === 0 ? null : deadline - now;
  const expired = remaining !== null && remaining <= 0;
  return { remaining, expired, warning: remaining !== null && remaining <= WARNING_MS };
}

/** "Held for you 9:58": the hold card's countdown, red in its last minute. */
export function HoldCountdown({ timeLeft }: { timeLeft: HoldTimeLeft }) {
  const { remaining, expired, warning } = timeLeft;
  return (
    <>
      <div className={`${styles.countdown} ${warning ? styles.countdownWarning : ""}`}>
        <span>Held for you</span>
        <strong role="timer" aria-live="off" data-remaining-ms={remaining ?? undefined}>
          {remaining === null ? "–:––" : formatCountdown(remaining)}
        </strong>
      </div>
      {/* Announced once, not every second: a ticking live region would drown out everything else. */}
      <p className="visually-hidden" aria-live="polite">
        {warning && !expired ? "Less than a minute left on your hold." : ""}
      </p>
    </>
  );
}
