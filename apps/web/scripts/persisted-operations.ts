// `pnpm codegen`, after graphql-codegen: the web app's operations as Apollo Client sends them (its
// codegen documents with the `__typename` fields its cache adds, printed by graphql's printer), each with
// the SHA-256 of that text (docs/api.md, "Persisted queries"):
//   src/gql/persisted-hashes.json      operation name → hash: the web app's persisted-query link sends the
//                                       hash alone, from the first request on;
//   src/gql/persisted-operations.json  the hashes with their text: the API registers them at build time
//                                       (apps/api/playground/build.mjs), so they never miss, and a text
//                                       sent after a miss matches its hash.
// Run by node itself (type stripping): it imports the generated TypeScript module as it stands.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { addTypenameToDocument } from "@apollo/client/utilities";
import { type DocumentNode, Kind, print } from "graphql";
import * as generated from "../src/gql/graphql.ts";

const operations = Object.values(generated)
  .filter((value): value is DocumentNode => (value as DocumentNode | null)?.kind === Kind.DOCUMENT)
  .flatMap((document) => {
    const operation = document.definitions.find(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    );
    // Fragments' own documents are not sent.
    if (operation?.kind !== Kind.OPERATION_DEFINITION || !operation.name) return [];
    const text = print(addTypenameToDocument(document));
    return {
      name: operation.name.value,
      sha256Hash: createHash("sha256").update(text).digest("hex"),
      document: text,
    };
  })
  .sort((a, b) => a.name.localeCompare(b.name));

const gqlDir = new URL("../src/gql/", import.meta.url);
writeFileSync(
  new URL("persisted-hashes.json", gqlDir),
  `${JSON.stringify(Object.fromEntries(operations.map((o) => [o.name, o.sha256Hash])), null, 2)}\n`,
);
writeFileSync(new URL("persisted-operations.json", gqlDir), `${JSON.stringify({ operations }, null, 2)}\n`);
