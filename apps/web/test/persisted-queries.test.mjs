// The web app's persisted queries, through a real Apollo Client: the first request of a query is a GET
// with the build-time hash alone; after a miss the link sends the text with it, and that text's SHA-256
// is the same hash (so the API's build-time registration and the protocol agree). TypeScript sources
// load through tsx.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { ApolloClient, InMemoryCache } from "@apollo/client";
import { CatalogEventsDocument, CheckoutDocument } from "../src/gql/graphql.ts";
import persistedHashes from "../src/gql/persisted-hashes.json" with { type: "json" };
import { persistedHttpLink } from "../src/lib/apollo/persisted-queries.ts";

/** A fetch that records each request and answers PERSISTED_QUERY_NOT_FOUND `misses` times, then data. */
function recordingFetch(misses, data) {
  const requests = [];
  const fetch = async (url, init) => {
    const parsed = new URL(url);
    const body = init.body ? JSON.parse(init.body) : undefined;
    requests.push({ method: init.method, url: parsed, body, headers: new Headers(init.headers) });
    const answer =
      requests.length <= misses
        ? {
            errors: [
              { message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } },
            ],
          }
        : { data };
    return new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } });
  };
  return { requests, fetch };
}

const client = (fetch) =>
  new ApolloClient({
    cache: new InMemoryCache(),
    link: persistedHttpLink({ uri: "http://api.test/graphql", fetch }),
  });

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

test("a query's first request is a GET with its build-time hash and no text", async () => {
  const { requests, fetch } = recordingFetch(0, {
    events: {
      __typename: "EventConnection",
      totalCount: 0,
      edges: [],
      pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
    },
  });
  await client(fetch)
    .query({ query: CatalogEventsDocument, variables: { first: 12 } })
    .catch(() => undefined);
  const [first] = requests;
  assert.equal(first.method, "GET");
  assert.equal(first.url.searchParams.get("query"), null, "no text");
  const extensions = JSON.parse(first.url.searchParams.get("extensions"));
  assert.equal(extensions.persistedQuery.sha256Hash, persistedHashes.CatalogEvents);
  assert.equal(first.headers.get("apollo-require-preflight"), "true", "through the API's CSRF prevention");
});

test("after a miss, the text sent with the hash hashes to it (what the API registered at build time)", async () => {
  const { requests, fetch } = recordingFetch(1, { checkout: null });
  await client(fetch)
    .mutate({
      mutation: CheckoutDocument,
      variables: { holdId: "h", paymentToken: "t", idempotencyKey: "k" },
    })
    .catch(() => undefined);
  assert.equal(requests.length, 2);
  const [miss, retry] = requests;
  assert.equal(miss.method, "POST", "mutations are never GETs");
  assert.equal(miss.body.query, undefined);
  assert.equal(miss.body.extensions.persistedQuery.sha256Hash, persistedHashes.Checkout);
  assert.equal(retry.body.extensions.persistedQuery.sha256Hash, persistedHashes.Checkout);
  assert.equal(sha256(retry.body.query), persistedHashes.Checkout);
  assert.match(retry.body.query, /__typename/, "as the cache sends it");
});
