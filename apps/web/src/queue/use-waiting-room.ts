"use client";

import { useApolloClient } from "@apollo/client/react";
import { useCallback, useEffect, useRef, useState } from "react";
import {
  JoinQueueDocument,
  LeaveQueueDocument,
  ProofOfWorkChallengeDocument,
  QueueHeartbeatDocument,
  QueueStatusChangedDocument,
  QueueStatusDocument,
  type QueueStatusFieldsFragment,
} from "@/gql/graphql";
import { useLiveConnection, useLiveConnectionState } from "@/lib/apollo/apollo-provider";
import { keepSubscribed } from "@/lib/apollo/keep-subscribed";
import type { LiveConnectionState } from "@/lib/apollo/live-connection";
import { expectedAttempts } from "./proof-of-work";
import { describeQueueError, type QueueProblem } from "./queue-errors";
import { solveInWorker } from "./solve-in-worker";

export type QueueStatus = QueueStatusFieldsFragment;

export type JoinPhase =
  | { step: "idle" }
  | { step: "challenge" }
  | { step: "solving"; attempts: number; expected: number }
  | { step: "joining" };

export interface WaitingRoom {
  status: QueueStatus | null;
  /** The first status could not be read (the fan sees a retry). */
  problem: QueueProblem | null;
  /** What went wrong with the last join or leave. */
  actionProblem: QueueProblem | null;
  joinPhase: JoinPhase;
  leaving: boolean;
  connection: LiveConnectionState;
  /** The highest position seen since the fan was placed: where the progress bar starts. */
  firstPosition: number | null;
  join: () => void;
  /** Stops a join that is still solving its puzzle. */
  cancelJoin: () => void;
  leave: () => void;
  /** Reads the status again now (e.g. after a hold said NOT_ADMITTED, or the shopping window ran out). */
  refresh: () => void;
  retry: () => void;
}

const IN_ROOM = new Set(["PRE_QUEUE", "WAITING", "ADMITTED"]);
// Without the WebSocket, `queueStatus` is polled this often (it is also the heartbeat then).
const FALLBACK_POLL_MS = 4_000;
const DEFAULT_HEARTBEAT_SECONDS = 15;

const firstPositionKey = (eventId: string) => `frontrow:queue-first-position:${eventId}`;

function readFirstPosition(eventId: string): number | null {
  try {
    const saved = Number(sessionStorage.getItem(firstPositionKey(eventId)));
    return Number.isFinite(saved) && saved > 0 ? saved : null;
  } catch {
    return null;
  }
}

function writeFirstPosition(eventId: string, position: number | null) {
  try {
    if (position === null) sessionStorage.removeItem(firstPositionKey(eventId));
    else sessionStorage.setItem(firstPositionKey(eventId), String(position));
  } catch {
    // Storage can be disabled: the bar then starts again from the current position after a reload.
  }
}

/**
 * The signed-in fan's place in an event's waiting room, kept live: pushed by `queueStatusChanged` over the
 * page's WebSocket, with heartbeats every `heartbeatIntervalSeconds` while the page is open (a fan whose
 * page stops sending them loses their turn), and `queueStatus` polling whenever the WebSocket is down.
 */
export function useWaitingRoom(eventId: string, signedIn: boolean): WaitingRoom {
  const client = useApolloClient();
  const liveConnection = useLiveConnection();
  const [status, setStatus] = useState<QueueStatus | null>(null);
  const [problem, setProblem] = useState<QueueProblem | null>(null);
  const [actionProblem, setActionProblem] = useState<QueueProblem | null>(null);
  const [joinPhase, setJoinPhase] = useState<JoinPhase>({ step: "idle" });
  const [leaving, setLeaving] = useState(false);
  const [firstPosition, setFirstPosition] = useState<number | null>(null);
  const [attempt, setAttempt] = useState(0);
  const joinAbort = useRef<AbortController | null>(null);

  const connection = useLiveConnectionState(liveConnection);
  const live = connection.status === "connected";

  const receive = useCallback((next: QueueStatus | null | undefined) => {
    if (next) setStatus(next);
  }, []);

  const fetchStatus = useCallback(
    () =>
      client
        .query({ query: QueueStatusDocument, variables: { eventId }, fetchPolicy: "no-cache" })
        .then((result) => {
          receive(result.data?.queueStatus);
          setProblem(null);
        }),
    [client, eventId, receive],
  );

  // The first status, and again after every (re)connection: pushed updates may have been missed meanwhile.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how "Try again" starts over.
  useEffect(() => {
    if (!signedIn) return;
    let current = true;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    fetchStatus().catch((error: unknown) => {
      if (!current) return;
      const described = describeQueueError(error);
      setProblem(described);
      // The room is briefly unavailable (it says for how long): ask again by itself.
      if (described.retryAfterSeconds) {
        retryTimer = setTimeout(() => setAttempt((count) => count + 1), described.retryAfterSeconds * 1000);
      }
    });
    return () => {
      current = false;
      clearTimeout(retryTimer);
    };
  }, [signedIn, fetchStatus, attempt, connection.generation]);

  // Live updates of the fan's own status.
  useEffect(() => {
    if (!signedIn || !liveConnection) return;
    return keepSubscribed(client, QueueStatusChangedDocument, { eventId }, (data) =>
      receive(data?.queueStatusChanged),
    );
  }, [client, eventId, signedIn, liveConnection, receive]);

  // Heartbeats while the fan is in the room; over HTTP polling when the WebSocket is down.
  const inRoom = status !== null && IN_ROOM.has(status.state);
  const heartbeatMs = (status?.heartbeatIntervalSeconds || DEFAULT_HEARTBEAT_SECONDS) * 1000;
  useEffect(() => {
    if (!signedIn || !inRoom) return;
    const beat = () => {
      if (live) {
        client
          .mutate({ mutation: QueueHeartbeatDocument, variables: { eventId } })
          .then((result) => receive(result.data?.queueHeartbeat))
          .catch(() => undefined);
      } else {
        // A missed poll is caught up by the next one.
        fetchStatus().catch(() => undefined);
      }
    };
    const timer = setInterval(beat, live ? heartbeatMs : Math.min(heartbeatMs, FALLBACK_POLL_MS));
    return () => clearInterval(timer);
  }, [client, eventId, signedIn, inRoom, live, heartbeatMs, fetchStatus, receive]);

  // Where the progress bar starts: the highest position seen while waiting (kept across reloads).
  const waitingPosition = status?.state === "WAITING" ? status.position : null;
  const state = status?.state;
  useEffect(() => {
    if (state === undefined) return;
    if (state !== "WAITING" && state !== "PRE_QUEUE") {
      writeFirstPosition(eventId, null);
      setFirstPosition(null);
      return;
    }
    if (waitingPosition === null) return;
    setFirstPosition((known) => {
      const highest = Math.max(known ?? readFirstPosition(eventId) ?? 0, waitingPosition);
      writeFirstPosition(eventId, highest);
      return highest;
    });
  }, [eventId, state, waitingPosition]);

  useEffect(() => () => joinAbort.current?.abort(), []);

  const proofOfWorkFor = useCallback(
    async (signal: AbortSignal): Promise<string | null> => {
      setJoinPhase({ step: "challenge" });
      const result = await client.query({
        query: ProofOfWorkChallengeDocument,
        variables: { eventId },
        fetchPolicy: "no-cache",
      });
      const challenge = result.data?.proofOfWorkChallenge;
      if (!challenge || challenge.difficulty <= 0) return null;
      const expected = expectedAttempts(challenge.difficulty);
      setJoinPhase({ step: "solving", attempts: 0, expected });
      return solveInWorker(
        { challenge: challenge.challenge, difficulty: challenge.difficulty },
        (attempts) => setJoinPhase({ step: "solving", attempts, expected }),
        signal,
      );
    },
    [client, eventId],
  );

  const join = useCallback(() => {
    joinAbort.current?.abort();
    const controller = new AbortController();
    joinAbort.current = controller;
    setActionProblem(null);
    const difficulty = status?.proofOfWorkDifficulty ?? 0;
    void (async () => {
      try {
        const proofOfWork = difficulty > 0 ? await proofOfWorkFor(controller.signal) : null;
        setJoinPhase({ step: "joining" });
        const result = await client.mutate({
          mutation: JoinQueueDocument,
          variables: { eventId, proofOfWork },
        });
        writeFirstPosition(eventId, null);
        setFirstPosition(null);
        receive(result.data?.joinQueue);
      } catch (error) {
        if (controller.signal.aborted) return;
        setActionProblem(describeQueueError(error));
        // The difficulty may have changed under us (an organizer raised it): show the current one.
        fetchStatus().catch(() => undefined);
      } finally {
        if (!controller.signal.aborted) setJoinPhase({ step: "idle" });
      }
    })();
  }, [client, eventId, status?.proofOfWorkDifficulty, proofOfWorkFor, receive, fetchStatus]);

  const cancelJoin = useCallback(() => {
    joinAbort.current?.abort();
    setJoinPhase({ step: "idle" });
  }, []);

  const leave = useCallback(() => {
    joinAbort.current?.abort();
    setJoinPhase({ step: "idle" });
    setActionProblem(null);
    setLeaving(true);
    client
      .mutate({ mutation: LeaveQueueDocument, variables: { eventId } })
      .then(() => fetchStatus())
      .catch((error: unknown) => setActionProblem(describeQueueError(error)))
      .finally(() => setLeaving(false));
  }, [client, eventId, fetchStatus]);

  const refresh = useCallback(() => {
    fetchStatus().catch(() => undefined);
  }, [fetchStatus]);
  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  return {
    status,
    problem,
    actionProblem,
    joinPhase,
    leaving,
    connection,
    firstPosition,
    join,
    cancelJoin,
    leave,
    refresh,
    retry,
  };
}
