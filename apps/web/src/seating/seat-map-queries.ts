import { graphql } from "@/gql";

/**
 * The static layout: up to 50,000+ seats. Always fetched with `fetchPolicy: "no-cache"`, because
 * normalising that many Seat objects into the Apollo cache would take seconds and gain nothing.
 */
export const SeatMapLayoutDocument = graphql(`
  query SeatMapLayout($eventId: ID!) {
    seatMap(eventId: $eventId) {
      eventId
      stage {
        label
        x
        y
        width
        height
      }
      bounds {
        minX
        minY
        maxX
        maxY
      }
      sections {
        id
        name
        priceTierId
        seats {
          id
          row
          number
          x
          y
        }
      }
    }
  }
`);

/** The live part: one character per seat, in layout order, and the version it belongs to. */
export const SeatMapStatusesDocument = graphql(`
  query SeatMapStatuses($eventId: ID!) {
    seatMap(eventId: $eventId) {
      version
      statuses
    }
  }
`);

/** What changed since the previous delta; `version` continues `seatMap.version` one by one. */
export const SeatMapChangedDocument = graphql(`
  subscription SeatMapChanged($eventId: ID!) {
    seatMapChanged(eventId: $eventId) {
      version
      changes {
        seatId
        status
      }
    }
  }
`);
