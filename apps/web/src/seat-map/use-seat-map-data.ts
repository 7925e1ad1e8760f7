"use client";

import { useApolloClient } from "@apollo/client/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { type ApiProblem, describeApiError } from "@/lib/api-errors";
import { buildSeatLayout, decodeSeatStatuses, type SeatLayout } from "./seat-layout";
import { SeatMapLayoutDocument, SeatMapStatusesDocument } from "./seat-map-queries";

export interface SeatMapData {
  layout: SeatLayout;
  /** One status code per seat, by layout index; replaced (not mutated) when statuses change. */
  statuses: Uint8Array;
  statusVersion: number;
}

export type SeatMapDataState =
  | { phase: "loading" }
  | { phase: "error"; problem: ApiProblem }
  | { phase: "ready"; data: SeatMapData };

/** Loads the static layout and the live statuses of an event's seat map as two operations, in parallel. */
export function useSeatMapData(eventId: string): { state: SeatMapDataState; retry: () => void } {
  const client = useApolloClient();
  const [state, setState] = useState<SeatMapDataState>({ phase: "loading" });
  // Only the latest request may set the state: an older one finishing late must not overwrite it.
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    const isLatest = () => request === latestRequest.current;
    setState({ phase: "loading" });
    const variables = { eventId };
    Promise.all([
      client.query({ query: SeatMapLayoutDocument, variables, fetchPolicy: "no-cache" }),
      // Statuses change all the time; caching them would only risk showing stale ones.
      client.query({ query: SeatMapStatusesDocument, variables, fetchPolicy: "no-cache" }),
    ])
      .then(([layoutResult, statusResult]) => {
        if (!layoutResult.data || !statusResult.data) throw new Error("The API returned no seat map.");
        const layout = buildSeatLayout(layoutResult.data.seatMap);
        const { statuses, version } = statusResult.data.seatMap;
        const data = {
          layout,
          statuses: decodeSeatStatuses(statuses, layout.seatCount),
          statusVersion: version,
        };
        if (isLatest()) setState({ phase: "ready", data });
      })
      .catch((error: unknown) => {
        if (isLatest()) setState({ phase: "error", problem: describeApiError(error) });
      });
  }, [client, eventId]);

  useEffect(() => {
    load();
    return () => {
      latestRequest.current++;
    };
  }, [load]);

  return { state, retry: load };
}
