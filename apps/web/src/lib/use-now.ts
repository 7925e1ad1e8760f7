"use client";

import { useEffect, useState } from "react";

/**
 * The current time in milliseconds, refreshed every second while `ticking`, on the second boundary so
 * that countdowns change digits together. Starts at 0 on the server and before hydration, so server and
 * browser render the same thing; callers treat 0 as "not known yet".
 */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!ticking) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const current = Date.now();
      setNow(current);
      timer = setTimeout(tick, 1000 - (current % 1000) + 5);
    };
    tick();
    return () => clearTimeout(timer);
  }, [ticking]);
  return now;
}
