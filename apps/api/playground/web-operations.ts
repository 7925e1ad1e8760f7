import accounts from "@frontrow/operations/accounts.graphql";
import auth from "@frontrow/operations/auth.graphql";
import catalog from "@frontrow/operations/catalog.graphql";
import checkin from "@frontrow/operations/checkin.graphql";
import events from "@frontrow/operations/events.graphql";
import holds from "@frontrow/operations/holds.graphql";
import orders from "@frontrow/operations/orders.graphql";
import organizer from "@frontrow/operations/organizer.graphql";
import queue from "@frontrow/operations/queue.graphql";
import sales from "@frontrow/operations/sales.graphql";
import seating from "@frontrow/operations/seating.graphql";
import transfers from "@frontrow/operations/transfers.graphql";
import venues from "@frontrow/operations/venues.graphql";
import waitlist from "@frontrow/operations/waitlist.graphql";
import webhooks from "@frontrow/operations/webhooks.graphql";
import { type DefinitionNode, Kind, parse, print, separateOperations } from "graphql";

// The web app's operations (packages/operations, bundled as text by build.mjs): the playground shows what
// the web app really sends instead of copies of it. Fragments may be spread across files, so all are read.
const documentsByOperation = separateOperations(
  parse(
    [
      accounts,
      auth,
      catalog,
      checkin,
      events,
      holds,
      orders,
      organizer,
      queue,
      sales,
      seating,
      transfers,
      venues,
      waitlist,
      webhooks,
    ].join("\n"),
  ),
);

const definitionName = (definition: DefinitionNode) =>
  "name" in definition && definition.name ? definition.name.value : "";

/**
 * The named operations of the web app, in the order given, followed by the fragments they spread: a
 * document GraphiQL can run as it stands. Throws on a name the web app does not have.
 */
export function webOperations(...operationNames: string[]): string {
  const definitions = new Map<string, DefinitionNode>();
  for (const operationName of operationNames) {
    const document = documentsByOperation[operationName];
    if (!document) throw new Error(`@frontrow/operations has no operation named ${operationName}`);
    for (const definition of document.definitions) definitions.set(definitionName(definition), definition);
  }
  const operationsFirst = [...definitions.values()].sort(
    (a, b) => Number(a.kind === Kind.FRAGMENT_DEFINITION) - Number(b.kind === Kind.FRAGMENT_DEFINITION),
  );
  return `${operationsFirst.map((definition) => print(definition)).join("\n\n")}\n`;
}

/** Every operation name of the web app (build.mjs registers each for automatic persisted queries). */
export function webOperationNames(): string[] {
  return Object.keys(documentsByOperation);
}
