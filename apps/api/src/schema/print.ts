import { lexicographicSortSchema, printSchema } from "graphql";
import type { PubSub } from "type-graphql";
import { buildFrontrowSchema } from "./build-schema.js";

// Printing only reads the schema's shape: nothing subscribes or publishes.
const printingOnly: PubSub = {
  publish() {
    throw new Error("The printed schema does not publish");
  },
  subscribe() {
    throw new Error("The printed schema does not subscribe");
  },
};

export const SCHEMA_HEADER =
  "# Frontrow GraphQL API. Generated from the TypeGraphQL schema by `pnpm schema:print`: do not edit.\n\n";

export async function printFrontrowSchema(): Promise<string> {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(await buildFrontrowSchema(printingOnly)))}\n`;
}
