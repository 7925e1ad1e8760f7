import { webOperations } from "./web-operations";

// Example operations opened as tabs the first time someone visits the playground. GraphiQL keeps the
// user's own tabs in localStorage afterwards, so these never overwrite work in progress.
export interface ExampleTab {
  query: string;
  variables: string;
}

const browseEvents = `# Browse events. Filter by search, city, category,
# dates or onSale; \`cities\` and \`categories\` list the
# values. Next page: set \`after\` to pageInfo.endCursor.
# Every tab is an operation the web app sends.
${webOperations("CatalogEvents")}`;

const eventDetails = `# One event, its price tiers and live availability.
# Prices are integer minor units: 4500 EUR = 45.00 EUR.
# Paste an event id from CatalogEvents into the variables.
${webOperations("EventPage")}`;

const seatMap = `# A seat map is a static layout (sections and seats,
# the same for every event at a venue) plus \`statuses\`:
# one character per seat, in layout order:
#   A available, H held, S sold, X not for sale.
# Clients fetch the layout once, then only
# \`version statuses\`: a few KB even for the stadium
# (an event whose venue capacity is 50,000+).
# Run SeatMapStatuses or SeatMapLayout with the ▶ menu.
${webOperations("SeatMapStatuses", "SeatMapLayout")}`;

const seatMapChanged = `# Live seat changes over graphql-ws, on this same
# /graphql path (ws:// or wss://).
#
# Each message is a delta and \`version\` grows by one
# per delta. On a gap, refetch seatMap { version
# statuses } and carry on from there. Hold seats in
# another browser tab to see messages arrive here.
${webOperations("SeatMapChanged")}`;

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
