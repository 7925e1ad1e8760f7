import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StringCache } from "./apollo.js";

// The web app's operations (packages/operations), registered at build time by playground/build.mjs
// (dist/playground/web-operations.json): automatic persisted queries answer their hashes from here, so
// they never miss, on any instance, with or without Redis. Everything else goes to the shared cache.

const APQ_PREFIX = "apq:"; // Apollo Server's prefix for persisted-query keys (APQ_CACHE_PREFIX)

export interface RegisteredOperation {
  name: string;
  sha256Hash: string;
  document: string;
}

/** The registered operations by hash; none when the build has not written them (logged by the caller). */
export function loadWebOperations(assetsDir: string): Map<string, RegisteredOperation> {
  try {
    const manifest = JSON.parse(readFileSync(join(assetsDir, "web-operations.json"), "utf8")) as {
      operations: RegisteredOperation[];
    };
    return new Map(manifest.operations.map((operation) => [operation.sha256Hash, operation]));
  } catch {
    return new Map();
  }
}

/** `cache`, answering the registered operations' hashes itself. */
export function withRegisteredOperations(
  cache: StringCache,
  registered: ReadonlyMap<string, RegisteredOperation>,
): StringCache {
  return {
    get: async (key) =>
      (key.startsWith(APQ_PREFIX) ? registered.get(key.slice(APQ_PREFIX.length))?.document : undefined) ??
      cache.get(key),
    set: (key, value, options) => cache.set(key, value, options),
    delete: (key) => cache.delete(key),
  };
}
