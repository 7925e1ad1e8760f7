import { type ApolloLink, HttpLink } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { type DocumentNode, getOperationAST, print } from "graphql";
import persistedHashes from "@/gql/persisted-hashes.json";

// Automatic persisted queries (docs/api.md, "Persisted queries"): the web app sends each operation's
// SHA-256 alone, computed at build time from its codegen document as Apollo Client sends it
// (scripts/persisted-operations.ts, run by `pnpm codegen`); the API registered the same texts at its
// build, so they never miss. Queries go by GET, which the API's shared cache (and a CDN) can keep; the
// header lets such a GET through the API's CSRF prevention. On a miss (an API built from other
// operations) the link sends the text with the hash once, as the protocol says.

const hashes: Readonly<Record<string, string>> = persistedHashes;

/** The build-time hash of a web app operation; the text's own hash for any other document. */
export function persistedHash(document: DocumentNode): string {
  const name = getOperationAST(document)?.name?.value;
  return (name && hashes[name]) || bytesToHex(sha256(utf8ToBytes(print(document))));
}

/** The HTTP link of the web app's Apollo Clients, sending hashes instead of documents. */
export function persistedHttpLink(options: HttpLink.Options): ApolloLink {
  const persisted = new PersistedQueryLink({ generateHash: persistedHash, useGETForHashedQueries: true });
  return persisted.concat(
    new HttpLink({ ...options, headers: { ...options.headers, "apollo-require-preflight": "true" } }),
  );
}
