// A fan using the product that `pnpm start` serves, run inside the start test's network namespace
// (the only place its ports can be reached). Commands, each printing one JSON line:
//   serving                 the web app answers 200 and the API answers a query
//   buy                     logs in as the demo fan, keeps one hold and pays for another
//   mine <cookie>           that fan's live holds and orders, with the session cookie of an earlier run
import { randomUUID } from "node:crypto";

const API = "http://127.0.0.1:4000/graphql";
const WEB = "http://127.0.0.1:3000/";

async function gql<T>(query: string, variables: Record<string, unknown> = {}, cookie?: string) {
  const response = await fetch(API, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return { data: body.data, cookie: response.headers.getSetCookie()[0]?.split(";")[0] };
}

async function serving() {
  const web = await fetch(WEB);
  const api = await gql<{ __typename: string }>("{ __typename }");
  return { web: web.status, api: api.data.__typename };
}

async function buy() {
  const login = await gql<{ logIn: { id: string } }>(
    `mutation { logIn(email: "fan@frontrow.test", password: "fan-password-1") { id } }`,
  );
  const cookie = login.cookie;
  if (!cookie) throw new Error("logIn set no cookie");
  const events = await gql<{ events: { edges: { node: { id: string; queueEnabled: boolean } }[] } }>(
    "{ events(first: 100, filter: { onSale: true }) { edges { node { id queueEnabled } } } }",
  );
  const event = events.data.events.edges.map(({ node }) => node).find((node) => !node.queueEnabled);
  if (!event) throw new Error("no on-sale event without a waiting room");
  const hold = () =>
    gql<{ holdBestAvailable: { id: string } }>(
      "mutation ($eventId: ID!) { holdBestAvailable(eventId: $eventId, quantity: 1) { id } }",
      { eventId: event.id },
      cookie,
    ).then(({ data }) => data.holdBestAvailable.id);
  const kept = await hold();
  const paid = await hold();
  const order = await gql<{ checkout: { id: string } }>(
    `mutation ($holdId: ID!, $key: String!) { checkout(holdId: $holdId, paymentToken: "tok_visa", idempotencyKey: $key) { id } }`,
    { holdId: paid, key: randomUUID() },
    cookie,
  );
  return { cookie, holdId: kept, orderId: order.data.checkout.id };
}

async function mine(cookie: string) {
  const { data } = await gql<{
    me: { holds: { id: string }[] } | null;
    myOrders: { edges: { node: { id: string } }[] };
  }>("{ me { holds { id } } myOrders(first: 50) { edges { node { id } } } }", {}, cookie);
  return {
    holdIds: data.me?.holds.map(({ id }) => id) ?? [],
    orderIds: data.myOrders.edges.map(({ node }) => node.id),
  };
}

const [command, argument] = process.argv.slice(2);
const result =
  command === "serving" ? await serving() : command === "buy" ? await buy() : await mine(argument ?? "");
console.log(JSON.stringify(result));
