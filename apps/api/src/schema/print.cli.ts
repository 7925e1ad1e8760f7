import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { printFrontrowSchema } from "./print.js";

const target = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../schema.graphql");
await writeFile(target, await printFrontrowSchema());
console.log(`Wrote ${target}`);
