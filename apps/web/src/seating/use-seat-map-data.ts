"use client";

import { useApolloClient } from "@apollo/client/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { SeatMapChangedDocument, SeatMapLayoutDocument, SeatMapStatusesDocument } from "@/gql/graphql";
import { type ApiProblem, describeApiError } from "@/lib/api-errors";
import { useLiveConnection, useLiveConnectionState } from "@/lib/apollo/apollo-provider";
import type { LiveConnectionState } from "@/lib/apollo/live-connection";
import { buildSeatLayout, type SeatLayout } from "./seat-layout";
import { SeatStatusSync, type StandingArea } from "./seat-status-sync";

export interface SeatMapData {
  layout: SeatLayout;
  /** One status code per seat, by layout index; replaced (not mutated) when statuses change. */
  statuses: Uint8Array;
  /** The standing areas on sale with their places left, at the same version as `statuses`. */
  areas: readonly StandingArea[];
  statusVersion: number;
}

export type SeatMapDataState =
  | { phase: "loading" }
  | { phase: "error"; problem: ApiProblem }
  | { phase: "ready"; data: SeatMapData };

export interface LiveSeatMap {
  state: SeatMapDataState;
  /** The WebSocket's state: the map is only live while "connected". */
  connection: LiveConnectionState;
  retry: () => void;
  /** Fetches the statuses again now (e.g. after the API said seats we showed as free are taken). */
  refreshStatuses: () => void;
}

// The API caches `seatMap` for a second: asking again sooner would only return the same snapshot.
const MIN_SNAPSHOT_INTERVAL_MS = 1_000;
// The first snapshot waits for the WebSocket (so no delta can fall between the two), but not for long.
const CONNECT_GRACE_MS = 1_500;
const SNAPSHOT_RETRY_MS = 5_000;
const RESUBSCRIBE_DELAY_MS = 3_000;
// A change the API just made reaches `seatMap` after its merge window (up to 250 ms) and a cached answer
// (up to 1 s) expire: a refresh looks again after this, to be sure to see it.
const SETTLED_SNAPSHOT_MS = 1_500;
// Without the WebSocket (down, or blocked by a proxy) the map still catches up now and then.
const OFFLINE_POLL_MS = 15_000;

/**
 * An event's seat map, kept live: the static layout once, then the statuses as a `seatMap` snapshot plus
 * `seatMapChanged` deltas over graphql-ws. A gap in versions, or a reconnection (deltas may have been
 * missed meanwhile), fetches a new snapshot, and the deltas received during the fetch are applied on top.
 */
export function useSeatMapData(eventId: string): LiveSeatMap {
  const client = useApolloClient();
  const liveConnection = useLiveConnection();
  const [state, setState] = useState<SeatMapDataState>({ phase: "loading" });
  const [attempt, setAttempt] = useState(0);
  const refreshStatusesNow = useRef<() => void>(() => undefined);

  const connection = useLiveConnectionState(liveConnection);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how "Try again" restarts it all.
  useEffect(() => {
    const sync = new SeatStatusSync();
    const variables = { eventId };
    const timers = new Set<ReturnType<typeof setTimeout>>();
    let disposed = false;
    let layout: SeatLayout | null = null;
    let snapshotInFlight = false;
    let snapshotWanted = false;
    let lastSnapshotAt = 0;
    // The connection generation the latest snapshot was asked under (-1: asked while not connected).
    let snapshotGeneration = Number.NaN;

    const later = (run: () => void, delayMs: number) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, delayMs);
      timers.add(timer);
    };

    const publish = () => {
      const current = sync.current;
      if (disposed || !layout || !current) return;
      setState({
        phase: "ready",
        data: { layout, statuses: current.statuses, areas: current.areas, statusVersion: current.version },
      });
    };

    const fail = (error: unknown) => {
      if (!disposed) setState({ phase: "error", problem: describeApiError(error) });
    };

    const requestSnapshot = () => {
      if (disposed) return;
      if (snapshotInFlight) {
        snapshotWanted = true;
        return;
      }
      const wait = lastSnapshotAt + MIN_SNAPSHOT_INTERVAL_MS - Date.now();
      if (wait > 0) {
        snapshotWanted = true;
        later(requestSnapshot, wait);
        return;
      }
      snapshotInFlight = true;
      snapshotWanted = false;
      lastSnapshotAt = Date.now();
      const connectionNow = liveConnection?.getState();
      snapshotGeneration = connectionNow?.status === "connected" ? connectionNow.generation : -1;
      // Statuses change all the time; caching them would only risk showing stale ones.
      client
        .query({ query: SeatMapStatusesDocument, variables, fetchPolicy: "no-cache" })
        .then((result) => {
          snapshotInFlight = false;
          if (disposed) return;
          if (!result.data) throw new Error("The API returned no seat statuses.");
          const { version, statuses, areas } = result.data.seatMap;
          if (sync.receiveSnapshot(version, statuses, areas)) publish();
          if (snapshotWanted || sync.hasGap) requestSnapshot();
        })
        .catch((error: unknown) => {
          snapshotInFlight = false;
          // Before anything is shown this is the map failing; afterwards the map stays and we try again.
          if (!sync.current) fail(error);
          else later(requestSnapshot, SNAPSHOT_RETRY_MS);
        });
    };

    const subscribeToDeltas = () => {
      if (!liveConnection) return undefined;
      const subscription = client
        .subscribe({ query: SeatMapChangedDocument, variables, fetchPolicy: "no-cache" })
        .subscribe({
          next: ({ data }) => {
            const delta = data?.seatMapChanged;
            if (!delta) return;
            if (sync.receiveDelta(delta)) publish();
            if (sync.hasGap) requestSnapshot();
          },
          // Only fatal problems end it (the connection itself retries forever): start over in a while.
          error: () => later(resubscribe, RESUBSCRIBE_DELAY_MS),
          complete: () => later(resubscribe, RESUBSCRIBE_DELAY_MS),
        });
      return subscription;
    };
    let deltaSubscription = subscribeToDeltas();
    const resubscribe = () => {
      if (disposed) return;
      deltaSubscription?.unsubscribe();
      deltaSubscription = subscribeToDeltas();
    };

    // Every (re)connection may have missed deltas: resynchronise unless the snapshot was asked under it.
    const stopWatchingConnection = liveConnection?.subscribe(() => {
      const { status, generation } = liveConnection.getState();
      if (status === "connected" && generation !== snapshotGeneration) requestSnapshot();
    });
    if (!liveConnection || liveConnection.getState().status === "connected") requestSnapshot();
    else later(() => Number.isNaN(snapshotGeneration) && requestSnapshot(), CONNECT_GRACE_MS);

    setState({ phase: "loading" });
    // The layout is large and static: never normalised into the Apollo cache.
    client
      .query({ query: SeatMapLayoutDocument, variables, fetchPolicy: "no-cache" })
      .then((result) => {
        if (disposed) return;
        if (!result.data) throw new Error("The API returned no seat map.");
        layout = buildSeatLayout(result.data.seatMap);
        if (sync.setLayout(layout)) publish();
      })
      .catch(fail);

    const offlinePoll = setInterval(() => {
      if (liveConnection?.getState().status !== "connected" && sync.current) requestSnapshot();
    }, OFFLINE_POLL_MS);

    refreshStatusesNow.current = () => {
      requestSnapshot();
      later(requestSnapshot, SETTLED_SNAPSHOT_MS);
    };
    return () => {
      disposed = true;
      clearInterval(offlinePoll);
      deltaSubscription?.unsubscribe();
      stopWatchingConnection?.();
      for (const timer of timers) clearTimeout(timer);
      refreshStatusesNow.current = () => undefined;
    };
  }, [client, eventId, liveConnection, attempt]);

  const retry = useCallback(() => setAttempt((count) => count + 1), []);
  const refreshStatuses = useCallback(() => refreshStatusesNow.current(), []);
  return { state, connection, retry, refreshStatuses };
}
