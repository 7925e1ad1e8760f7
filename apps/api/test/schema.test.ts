import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { printFrontrowSchema } from "../src/schema/print.js";

const checkedIn = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../schema.graphql");

test("schema.graphql is the schema the server runs (run `pnpm schema:print` after changing types)", async () => {
  assert.equal(await readFile(checkedIn, "utf8"), await printFrontrowSchema());
});
