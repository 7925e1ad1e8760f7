import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createClient } from "graphql-ws";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { type ExampleIds, exampleTabs } from "./examples";

// The page is served by the GraphQL endpoint itself, so its own location is the endpoint: this keeps
// working behind a proxy, on another port, or under https without any configuration.
const endpointUrl = `${window.location.origin}${window.location.pathname}`;
const webSocketUrl = `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}${window.location.pathname}`;

// One shared, lazily opened socket for every subscription tab; the browser sends the session cookie on
// the upgrade request because the socket is same-origin.
const webSocketClient = createClient({ url: webSocketUrl, lazy: true, retryAttempts: 3 });

const fetcher = createGraphiQLFetcher({
  url: endpointUrl,
  wsClient: webSocketClient,
  // Send the session cookie with every HTTP operation so a logged-in browser stays logged in here.
  fetch: (input, init) => window.fetch(input, { ...init, credentials: "include" }),
});

// GraphiQL's dialogs lock page scrolling with react-remove-scroll, which injects a <style> element and
// looks for its CSP nonce in the webpack-era global `__webpack_nonce__`. The server puts this response's
// nonce in a meta tag.
const styleNonce = document.querySelector<HTMLMetaElement>('meta[name="style-nonce"]')?.content;
if (styleNonce) Object.assign(globalThis, { __webpack_nonce__: styleNonce });

// Ids of seeded events for the examples, put in the page by the server (http/playground.ts).
function exampleIds(): ExampleIds {
  const fallback = { eventId: "1", stadiumEventId: "1", queueEventId: "1" };
  try {
    const content = document.querySelector<HTMLMetaElement>('meta[name="example-ids"]')?.content;
    return content ? { ...fallback, ...(JSON.parse(content) as Partial<ExampleIds>) } : fallback;
  } catch {
    return fallback;
  }
}
const tabs = exampleTabs(exampleIds());
const firstExampleTab = tabs[0] ?? { query: "", variables: "" };

// GraphiQL 4 fills the first tab's variables editor from its stored variables, not from defaultTabs:
// on a first visit, store the first example's variables so they are not lost.
try {
  if (localStorage.getItem("graphiql:tabState") === null) {
    localStorage.setItem("graphiql:variables", firstExampleTab.variables);
  }
} catch {
  // Storage disabled (private mode, policy): GraphiQL then runs without persistence, nothing to seed.
}

function Playground() {
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={tabs}
      defaultEditorToolsVisibility="variables"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>Frontrow</GraphiQL.Logo>
    </GraphiQL>
  );
}

const container = document.getElementById("graphiql");
if (!container) throw new Error("The playground page has no #graphiql element");
createRoot(container).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
