import { graphql } from "@/gql";

export const HoldFields = graphql(`
  fragment HoldFields on Hold {
    id
    eventId
    expiresAt
    seats {
      id
      row
      number
      section
      price {
        amount
        currency
      }
    }
    total {
      amount
      currency
    }
  }
`);

/** The fan's live holds over all events; the event page keeps those of its event. */
export const MyHoldsDocument = graphql(`
  query MyHolds {
    me {
      id
      holds {
        ...HoldFields
      }
    }
  }
`);

export const HoldSeatsDocument = graphql(`
  mutation HoldSeats($eventId: ID!, $seatIds: [ID!]!, $admissionToken: String) {
    holdSeats(eventId: $eventId, seatIds: $seatIds, admissionToken: $admissionToken) {
      ...HoldFields
    }
  }
`);

export const HoldBestAvailableDocument = graphql(`
  mutation HoldBestAvailable($eventId: ID!, $quantity: Int!, $priceTierId: ID, $admissionToken: String) {
    holdBestAvailable(
      eventId: $eventId
      quantity: $quantity
      priceTierId: $priceTierId
      admissionToken: $admissionToken
    ) {
      ...HoldFields
    }
  }
`);

export const ReleaseHoldDocument = graphql(`
  mutation ReleaseHold($holdId: ID!) {
    releaseHold(holdId: $holdId)
  }
`);
