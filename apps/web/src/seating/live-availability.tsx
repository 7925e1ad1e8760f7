"use client";

import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

export interface AvailabilityCounts {
  available: number;
  held: number;
  sold: number;
}

interface LiveAvailability {
  counts: AvailabilityCounts | null;
  publish: (counts: AvailabilityCounts) => void;
}

const LiveAvailabilityContext = createContext<LiveAvailability | null>(null);

/**
 * Shares the live seat map's counts with the rest of the event page (the Availability box), which the
 * server rendered once: the map already follows every delta, so nothing else needs to subscribe.
 */
export function LiveAvailabilityProvider({ children }: { children: ReactNode }) {
  const [counts, setCounts] = useState<AvailabilityCounts | null>(null);
  return <LiveAvailabilityContext value={{ counts, publish: setCounts }}>{children}</LiveAvailabilityContext>;
}

/** The server's counts until the live map has its own. */
export function useLiveAvailability(initial: AvailabilityCounts): AvailabilityCounts {
  return useContext(LiveAvailabilityContext)?.counts ?? initial;
}

/** Called by the seat map with its counts whenever they change. */
export function usePublishAvailability(counts: AvailabilityCounts): void {
  const publish = useContext(LiveAvailabilityContext)?.publish;
  const { available, held, sold } = counts;
  useEffect(() => {
    publish?.({ available, held, sold });
  }, [publish, available, held, sold]);
}
