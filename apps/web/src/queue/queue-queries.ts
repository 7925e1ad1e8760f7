import { graphql } from "@/gql";

export const QueueStatusFields = graphql(`
  fragment QueueStatusFields on QueueStatus {
    eventId
    state
    entryId
    position
    waitingCount
    etaSeconds
    etaLowSeconds
    etaHighSeconds
    etaNote
    paused
    saleStartsAt
    admissionToken
    admittedUntil
    heartbeatIntervalSeconds
    proofOfWorkDifficulty
  }
`);

/** Also a heartbeat: asking keeps the fan's place while the page is open. */
export const QueueStatusDocument = graphql(`
  query QueueStatus($eventId: ID!) {
    queueStatus(eventId: $eventId) {
      ...QueueStatusFields
    }
  }
`);

export const QueueStatusChangedDocument = graphql(`
  subscription QueueStatusChanged($eventId: ID!) {
    queueStatusChanged(eventId: $eventId) {
      ...QueueStatusFields
    }
  }
`);

export const JoinQueueDocument = graphql(`
  mutation JoinQueue($eventId: ID!, $proofOfWork: String) {
    joinQueue(eventId: $eventId, proofOfWork: $proofOfWork) {
      ...QueueStatusFields
    }
  }
`);

export const QueueHeartbeatDocument = graphql(`
  mutation QueueHeartbeat($eventId: ID!) {
    queueHeartbeat(eventId: $eventId) {
      ...QueueStatusFields
    }
  }
`);

export const LeaveQueueDocument = graphql(`
  mutation LeaveQueue($eventId: ID!) {
    leaveQueue(eventId: $eventId)
  }
`);

export const ProofOfWorkChallengeDocument = graphql(`
  query ProofOfWorkChallenge($eventId: ID!) {
    proofOfWorkChallenge(eventId: $eventId) {
      challenge
      difficulty
      expiresAt
      algorithm
    }
  }
`);

export const QueueAuditDocument = graphql(`
  query QueueAudit($eventId: ID!) {
    queueAudit(eventId: $eventId) {
      eventId
      commitment
      seed
      algorithm
      preQueueEntries
      drawnOrder
      revealedAt
    }
  }
`);
