// Bundles the self-hosted GraphQL playground (GraphiQL, React, graphql-ws client, styles and fonts) into
// dist/playground/ so the API can serve it with no CDN and no internet access.
//
// Output: content-hashed JS and CSS (served with immutable cache headers), their gzip and brotli
// variants (compressed once here instead of on every request), the HTML template, and manifest.json,
// which is how src/http/playground.ts finds the hashed names.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants as zlibConstants } from "node:zlib";
import { build } from "esbuild";

const sourceDir = dirname(fileURLToPath(import.meta.url));
const outputDir = resolve(sourceDir, "../dist/playground");

await rm(outputDir, { recursive: true, force: true });
await mkdir(outputDir, { recursive: true });

// GraphiQL's stylesheet embeds Roboto and Fira Code as data: URLs in every script subset (Cyrillic, Greek,
// Vietnamese...), which is most of its weight. Keep the Latin and Latin Extended faces only: text in other
// scripts still renders, in the next font of GraphiQL's font stack.
const latinFontsOnly = {
  name: "latin-fonts-only",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]graphiql[\\/]dist[\\/]style\.css$/ }, async ({ path }) => {
      const css = await readFile(path, "utf8");
      const keepsLatin = (fontFace) => /unicode-range:\s*U\+(0000-00FF|0100-024F)\b/i.test(fontFace);
      const contents = css.replace(/@font-face\s*\{[^}]*\}/g, (fontFace) =>
        keepsLatin(fontFace) ? fontFace : "",
      );
      return { contents, loader: "css" };
    });
  },
};

const result = await build({
  entryPoints: { app: join(sourceDir, "main.tsx"), styles: join(sourceDir, "playground.css") },
  outdir: outputDir,
  entryNames: "[name]-[hash]",
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  jsx: "automatic",
  tsconfig: join(sourceDir, "tsconfig.json"),
  // The example tabs are the web app's own operations (packages/operations), read as text.
  loader: { ".graphql": "text" },
  // Production React, and no `process` object in the browser.
  define: { "process.env.NODE_ENV": '"production"' },
  // Licence headers stay in the files we ship (MIT and friends require it), gathered at the end.
  legalComments: "eof",
  charset: "utf8",
  plugins: [latinFontsOnly],
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({
  fileName: basename(path),
  entryPoint: output.entryPoint ?? "",
}));
const script = outputs.find((output) => output.fileName.endsWith(".js"));
const stylesheet = outputs.find((output) => output.fileName.endsWith(".css"));
if (!script || !stylesheet || outputs.length !== 2) {
  throw new Error(
    `Unexpected playground build outputs: ${outputs.map((output) => output.fileName).join(", ")}`,
  );
}

const sizes = [];
for (const { fileName } of [script, stylesheet]) {
  const body = await readFile(join(outputDir, fileName));
  const gzipped = gzipSync(body, { level: 9 });
  const brotlied = brotliCompressSync(body, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
    },
  });
  await writeFile(join(outputDir, `${fileName}.gz`), gzipped);
  await writeFile(join(outputDir, `${fileName}.br`), brotlied);
  sizes.push({ fileName, raw: body.length, gzip: gzipped.length, brotli: brotlied.length });
}

await copyFile(join(sourceDir, "index.html"), join(outputDir, "index.html"));
await writeFile(
  join(outputDir, "manifest.json"),
  `${JSON.stringify({ script: script.fileName, stylesheet: stylesheet.fileName }, null, 2)}\n`,
);

// The web app's operations, registered at build time for automatic persisted queries: the API answers
// their hashes without ever having seen their text (src/graphql/persisted-operations.ts). Each is the
// text the playground shows (operation, then the fragments it spreads), built by the same module.
const operationsModule = await build({
  entryPoints: [join(sourceDir, "web-operations.ts")],
  bundle: true,
  write: false,
  format: "esm",
  platform: "node",
  loader: { ".graphql": "text" },
  logLevel: "warning",
});
const { webOperationNames, webOperations } = await import(
  `data:text/javascript;base64,${Buffer.from(operationsModule.outputFiles[0].text).toString("base64")}`
);
const playgroundTexts = webOperationNames().map((name) => {
  const document = webOperations(name);
  return { name, sha256Hash: createHash("sha256").update(document).digest("hex"), document };
});
// And each as the web app sends it (its codegen document with the cache's __typename fields), written by
// the web app's `pnpm codegen` (apps/web/scripts/persisted-operations.ts), run here so that the texts are
// those of this tree's operations and schema: the hashes the web app built from them sends.
const webManifest = resolve(sourceDir, "../../web/src/gql/persisted-operations.json");
execFileSync("pnpm", ["--filter", "@frontrow/web", "codegen"], { stdio: ["ignore", "ignore", "inherit"] });
const webApp = JSON.parse(await readFile(webManifest, "utf8")).operations;
const operations = [...playgroundTexts, ...webApp].filter(
  (operation, index, all) => all.findIndex((other) => other.sha256Hash === operation.sha256Hash) === index,
);
await writeFile(join(outputDir, "web-operations.json"), `${JSON.stringify({ operations }, null, 2)}\n`);
console.log(
  `playground: web-operations.json  ${operations.length} operation texts registered for persisted queries (${webApp.length} as the web app sends them)`,
);

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const { fileName, raw, gzip, brotli } of sizes) {
  console.log(
    `playground: ${fileName}  ${kilobytes(raw)} raw, ${kilobytes(gzip)} gzip, ${kilobytes(brotli)} brotli`,
  );
}
