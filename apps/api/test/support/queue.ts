import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Fan } from "./holds.js";

// Shared by the waiting-room tests: the operations and a live watcher of a fan's own status.

export const STATUS_FIELDS = `eventId state entryId position waitingCount etaSeconds etaLowSeconds etaHighSeconds
  etaNote paused saleStartsAt admissionToken admittedUntil heartbeatIntervalSeconds proofOfWorkDifficulty`;
export const JOIN_QUEUE = `mutation ($eventId: ID!) { joinQueue(eventId: $eventId) { ${STATUS_FIELDS} } }`;
export const QUEUE_STATUS = `query ($eventId: ID!) { queueStatus(eventId: $eventId) { ${STATUS_FIELDS} } }`;
export const QUEUE_STATUS_CHANGED = `subscription ($eventId: ID!) {
  queueStatusChanged(eventId: $eventId) { ${STATUS_FIELDS} } }`;

export interface QueueStatusData {
  state: string;
  entryId: string | null;
  position: number | null;
  admissionToken: string | null;
  waitingCount: number;
}

/** A graphql-ws client signed in as `fan`, collecting its queueStatusChanged messages for the event. */
export function watchQueue(url: string, fan: Pick<Fan, "cookie">, eventId: number) {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { token: fan.cookie.split("=")[1] },
  });
  const seen: QueueStatusData[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<{ queueStatusChanged: QueueStatusData }>(
    { query: QUEUE_STATUS_CHANGED, variables: { eventId: String(eventId) } },
    {
      next: (result) =>
        result.data ? seen.push(result.data.queueStatusChanged) : errors.push(result.errors),
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return {
    seen,
    errors,
    dispose: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
}
