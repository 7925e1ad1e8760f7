import { lexicographicSortSchema, printSchema } from "graphql";
import { buildFrontrowSchema } from "./build-schema.js";

export const SCHEMA_HEADER =
  "# Frontrow GraphQL API. Generated from the TypeGraphQL schema by `pnpm schema:print`: do not edit.\n\n";

export async function printFrontrowSchema(): Promise<string> {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(await buildFrontrowSchema()))}\n`;
}
