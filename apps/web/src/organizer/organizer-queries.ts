import { graphql } from "@/gql";

export const QueueSettingsFields = graphql(`
  fragment QueueSettingsFields on QueueSettings {
    admissionRatePerMinute
    maxActiveShoppers
    paused
    proofOfWorkDifficulty
    shoppingWindowSeconds
    waitingCount
    activeShoppers
    servedUpTo
    admittedPerMinuteMeasured
  }
`);

/** What the organizer pages show of an event, in the list and on its own page. */
export const OrganizerEventFields = graphql(`
  fragment OrganizerEventFields on Event {
    id
    name
    startsAt
    saleStartsAt
    status
    onSale
    queueEnabled
    venue {
      id
      name
      city
      timezone
    }
    queueSettings {
      ...QueueSettingsFields
    }
  }
`);

/**
 * Events in the catalog, with their queue settings: the API gives `queueSettings` only to the event's
 * organizer (or an admin), so the events that have them are the ones this account runs.
 */
export const OrganizerEventsDocument = graphql(`
  query OrganizerEvents($after: String) {
    events(first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...OrganizerEventFields
        }
      }
    }
  }
`);

export const OrganizerEventDocument = graphql(`
  query OrganizerEvent($id: ID!) {
    event(id: $id) {
      ...OrganizerEventFields
    }
  }
`);

export const UpdateQueueSettingsDocument = graphql(`
  mutation UpdateQueueSettings($eventId: ID!, $input: QueueSettingsInput!) {
    updateQueueSettings(eventId: $eventId, input: $input) {
      id
      queueSettings {
        ...QueueSettingsFields
      }
    }
  }
`);

/** Accounts that behaved like bots around this event, most signals first. */
export const EventBotSignalsDocument = graphql(`
  query EventBotSignals($eventId: ID!) {
    accountBotSignals(eventId: $eventId, first: 20) {
      userId
      email
      total
      lastSignalAt
      blockedAt
      kinds {
        kind
        count
      }
    }
  }
`);

export const BlockAccountDocument = graphql(`
  mutation BlockAccount($userId: ID!, $reason: String!) {
    blockAccount(userId: $userId, reason: $reason)
  }
`);

export const UnblockAccountDocument = graphql(`
  mutation UnblockAccount($userId: ID!) {
    unblockAccount(userId: $userId)
  }
`);
