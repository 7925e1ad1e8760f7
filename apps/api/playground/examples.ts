// Example operations opened as tabs the first time someone visits the playground. GraphiQL keeps the
// user's own tabs in localStorage afterwards, so these never overwrite work in progress.
interface ExampleTab {
  query: string;
  variables: string;
}

const browseEvents = `# Browse events. Filter by search, city, category,
# dates or onSale; \`cities\` and \`categories\` list the
# values. Next page: set \`after\` to pageInfo.endCursor.
query BrowseEvents($filter: EventFilter, $first: Int = 10, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        name
        category
        startsAt
        status
        performer {
          name
        }
        venue {
          name
          city
          capacity
        }
      }
    }
  }
}
`;

const eventDetails = `# One event, its price tiers and live availability.
# Prices are integer minor units: 4500 EUR = 45.00 EUR.
# Paste an event id from BrowseEvents into the variables.
query EventDetails($id: ID!) {
  event(id: $id) {
    id
    name
    description
    category
    startsAt
    saleStartsAt
    status
    holdSeconds
    maxTicketsPerAccount
    queueEnabled
    venue {
      name
      city
      address
      timezone
      capacity
    }
    priceTiers {
      id
      name
      price {
        amount
        currency
      }
      sectionIds
    }
    availability {
      available
      held
      sold
    }
  }
}
`;

const seatMap = `# A seat map is a static layout (sections and seats,
# the same for every event at a venue) plus \`statuses\`:
# one character per seat, in layout order:
#   A available, H held, S sold, X not for sale.
# Clients fetch the layout once, then only
# \`version statuses\`: a few KB even for the stadium
# (an event whose venue capacity is 50,000+).
# Run SeatMapStatuses or SeatMapLayout with the ▶ menu.
query SeatMapStatuses($eventId: ID!) {
  seatMap(eventId: $eventId) {
    eventId
    version
    statuses
  }
}

query SeatMapLayout($eventId: ID!) {
  seatMap(eventId: $eventId) {
    eventId
    version
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
        accessible
      }
    }
  }
}
`;

const seatMapChanged = `# Live seat changes over graphql-ws, on this same
# /graphql path (ws:// or wss://).
# Available once holds exist: until the API has
# Subscription.seatMapChanged, this tab won't validate.
#
# Each message is a delta and \`version\` grows by one
# per delta. On a gap, refetch seatMap { version
# statuses } and carry on from there. Hold seats in
# another browser tab to see messages arrive here.
subscription SeatMapChanged($eventId: ID!) {
  seatMapChanged(eventId: $eventId) {
    eventId
    version
    changes {
      seatId
      status
    }
  }
}
`;

function variables(value: Record<string, unknown>): string {
  return JSON.stringify(value, null, 2);
}

export const firstExampleTab: ExampleTab = {
  query: browseEvents,
  variables: variables({ filter: { onSale: true }, first: 10 }),
};

export const exampleTabs: ExampleTab[] = [
  firstExampleTab,
  { query: eventDetails, variables: variables({ id: "paste-an-event-id" }) },
  { query: seatMap, variables: variables({ eventId: "paste-a-stadium-event-id" }) },
  { query: seatMapChanged, variables: variables({ eventId: "paste-an-event-id" }) },
];
