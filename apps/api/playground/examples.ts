import { webOperations } from "./web-operations";

// Example operations opened as tabs the first time someone visits the playground, one per journey, in
// the order a visitor walks through them. GraphiQL keeps the user's own tabs in localStorage afterwards,
// so these never overwrite work in progress. Ids of seeded events are filled in by the server (the
// page's `example-ids` meta tag). A variable written "<field.path>" takes a value from an earlier tab's
// answer: paste it (test/playground-run.test.ts does the same and runs every tab on the seed).
export interface ExampleTab {
  query: string;
  variables: string;
}

/** Seeded events the examples use (http/playground-example-ids.ts looks them up at boot). */
export interface ExampleIds {
  /** A theatre event on sale (holds, checkout, webhooks). */
  eventId: string;
  /** A stadium event on sale (the big seat map). */
  stadiumEventId: string;
  /** An event with its waiting room on, sale open. */
  queueEventId: string;
}

const browse = `# Browse events. Filter by search, city, category,
# dates or onSale; \`cities\` and \`categories\` list the
# values. Next page: set \`after\` to pageInfo.endCursor.
# Tabs with web app operations show what the web app sends.
${webOperations("CatalogEvents")}`;

const eventPage = `# One event, its price tiers and live availability.
# Prices are integer minor units: 4500 EUR = 45.00 EUR.
${webOperations("EventPage")}`;

const seatMap = `# A seat map is a static layout (sections and seats,
# the same for every event at a venue) plus \`statuses\`:
# one character per seat, in layout order:
#   A available, H held, S sold, X not for sale.
# Clients fetch the layout once, then only
# \`version statuses\`: a few KB even for this stadium.
# Run SeatMapStatuses or SeatMapLayout with the ▶ menu.
${webOperations("SeatMapStatuses", "SeatMapLayout")}`;

const liveSeatMap = `# Live seat changes over graphql-ws, on this same
# /graphql path (ws:// or wss://). Each message is a
# delta and \`version\` grows by one per delta. On a gap,
# refetch seatMap { version statuses }. Hold seats in
# another tab (or browser) to see messages arrive here.
${webOperations("SeatMapChanged")}`;

const signIn = `# Sign in as the demo fan (the README lists the demo
# accounts). The session cookie then goes with every
# tab of this page. Viewer shows who is signed in.
${webOperations("LogIn", "Viewer")}`;

const hold = `# Hold seats: the best available ones, or chosen ones
# with HoldSeats. A hold lasts the event's holdSeconds;
# then the seats are free again. Keep the hold's id.
${webOperations("HoldBestAvailable", "MyHolds")}`;

const checkout = `# Pay for a hold (fake tokens: tok_visa succeeds,
# tok_declined is declined). The idempotencyKey makes a
# retry return the same order, never a second charge.
${webOperations("Checkout")}`;

const orders = `# Your orders and their tickets. A ticket's code rotates
# (a screenshot goes stale): refetch at codeExpiresAt.
# pdfUrl downloads the printed tickets (open it in this
# browser: it needs the session cookie).
${webOperations("MyOrders", "Order")}`;

const waitingRoom = `# The waiting room of a busy sale: join, then watch
# your position (QueueStatusChanged, over WebSocket) until
# you are admitted; pass admissionToken to holdSeats.
${webOperations("JoinQueue", "QueueStatus", "QueueStatusChanged")}`;

const organizer = `# Organizers: sign in as the demo organizer, then list
# every event you own (drafts, on sale, past, cancelled)
# and see one with its waiting-room settings.
${webOperations("LogIn", "MyEvents", "OrganizerEvent")}`;

const salesDashboard = `# The sales dashboard (organizers): the event's sales
# now, then live: EventSalesChanged (over WebSocket) sends
# the same figures again after every order, refund or
# release. Buy a ticket in another browser to see one.
${webOperations("EventSales", "EventSalesChanged")}`;

const prices = `# Prices (organizers): ManagedEvent lists the event's
# tiers; SetPrices changes one (give its id) or adds one
# (no id), and assigns tiers to sections, rows or seats.
# On a live event the free seats take the new price at
# once; held and sold seats keep theirs.
${webOperations("ManagedEvent", "SetPrices")}`;

const partnerKeys = `# Partner API keys (organizers): the secret is shown
# once. Send it as "Authorization: Bearer <secret>" (the
# Headers pane below); each answer reports its cost in
# extensions.cost and in the RateLimit-* headers.
mutation CreateApiKey {
  createApiKey(name: "my box office", scopes: ["catalog:read", "webhooks:manage"]) {
    secret
    apiKey { id prefix scopes costPerMinute }
  }
}

query ApiKeys {
  apiKeys { id name prefix scopes costPerMinute createdAt revokedAt }
}
`;

const webhooks = `# Webhooks (docs/partners.md): Frontrow POSTs signed
# order events to your endpoint. Keep the secret (shown
# once) to verify the webhook-signature header. Then see
# the delivery log, and redeliver or rotate the secret.
${webOperations("CreateWebhookEndpoint", "WebhookEndpoints", "WebhookDeliveries")}`;

function variables(value: Record<string, unknown>): string {
  return JSON.stringify(value, null, 2);
}

const FAN = { email: "fan@frontrow.test", password: "fan-password-1" };
const ORGANIZER = { email: "organizer@frontrow.test", password: "organizer-password" };

export function exampleTabs(ids: ExampleIds): ExampleTab[] {
  return [
    { query: browse, variables: variables({ filter: { onSale: true }, first: 10 }) },
    { query: eventPage, variables: variables({ id: ids.eventId }) },
    { query: seatMap, variables: variables({ eventId: ids.stadiumEventId }) },
    { query: liveSeatMap, variables: variables({ eventId: ids.eventId }) },
    { query: signIn, variables: variables(FAN) },
    { query: hold, variables: variables({ eventId: ids.eventId, quantity: 2 }) },
    {
      query: checkout,
      variables: variables({
        holdId: "<holdBestAvailable.id>",
        paymentToken: "tok_visa",
        idempotencyKey: "playground-checkout-1",
      }),
    },
    { query: orders, variables: variables({ first: 10, id: "<checkout.id>" }) },
    { query: waitingRoom, variables: variables({ eventId: ids.queueEventId }) },
    { query: organizer, variables: variables({ ...ORGANIZER, id: ids.eventId }) },
    { query: salesDashboard, variables: variables({ eventId: ids.eventId }) },
    {
      query: prices,
      variables: variables({
        eventId: ids.eventId,
        input: {
          tiers: [{ id: "<eventPriceTiers.0.id>", name: "<eventPriceTiers.0.name>", priceMinor: 4900 }],
        },
      }),
    },
    { query: partnerKeys, variables: variables({}) },
    {
      query: webhooks,
      variables: variables({
        input: {
          url: "https://example.com/frontrow-webhooks",
          eventTypes: ["order.confirmed", "order.cancelled"],
          eventId: ids.eventId,
        },
        endpointId: "<createWebhookEndpoint.id>",
        first: 20,
      }),
    },
  ];
}
