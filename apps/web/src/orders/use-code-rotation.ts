"use client";

import { useEffect, useState } from "react";

// A code expiring "now" by a fast browser clock may not have rotated on the server yet: ask again soon,
// but never in a tight loop.
const RETRY_MS = 2_000;

interface RotatingCode {
  status: string;
  code: string;
  codeExpiresAt: string;
}

/**
 * Keeps ticket codes fresh: refetches when the first valid code expires (and again every 2 s until the
 * codes have rotated), and at once when a hidden page with an expired code is shown again. Returns when
 * the current codes arrived (ms since the epoch, 0 before the browser knows), which is where a
 * "refreshes in" ring starts full.
 */
export function useCodeRotation(tickets: readonly RotatingCode[], refetch: () => Promise<unknown>): number {
  const validTickets = tickets.filter((ticket) => ticket.status === "VALID");
  const codes = validTickets.map((ticket) => ticket.code).join(" ");
  const expiries = validTickets.map((ticket) => Date.parse(ticket.codeExpiresAt));
  const firstExpiry = expiries.length > 0 ? Math.min(...expiries) : null;
  const [receivedAt, setReceivedAt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `codes` is the trigger: new codes arrived.
  useEffect(() => setReceivedAt(Date.now()), [codes]);

  useEffect(() => {
    if (firstExpiry === null) return;
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const refreshAfter = (delay: number) => {
      timer = setTimeout(async () => {
        await refetch().catch(() => undefined);
        // New codes re-run this effect; if none came (not rotated yet, or offline), try again shortly.
        if (!stopped) refreshAfter(RETRY_MS);
      }, delay);
    };
    refreshAfter(Math.max(firstExpiry - Date.now(), 0));
    // Browsers slow down timers in hidden tabs: a phone unlocked at the gate must not show a stale code.
    const refreshIfStale = () => {
      if (document.visibilityState !== "visible" || Date.now() < firstExpiry) return;
      clearTimeout(timer);
      refreshAfter(0);
    };
    document.addEventListener("visibilitychange", refreshIfStale);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", refreshIfStale);
    };
  }, [firstExpiry, refetch]);

  return receivedAt;
}
