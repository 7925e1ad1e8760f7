import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const examplesEntry = fileURLToPath(new URL("../../../playground/examples.ts", import.meta.url));

export interface ExampleTab {
  query: string;
  variables: string;
}

/**
 * The playground's example tabs as the browser gets them: examples.ts bundled the way build.mjs bundles
 * it (the web app's .graphql operations read as text), then loaded in this process.
 */
export interface ExampleIds {
  eventId: string;
  stadiumEventId: string;
  queueEventId: string;
}

export async function loadExampleTabs(
  ids: ExampleIds = { eventId: "1", stadiumEventId: "2", queueEventId: "3" },
): Promise<ExampleTab[]> {
  const bundle = await build({
    entryPoints: [examplesEntry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    loader: { ".graphql": "text" },
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]?.text ?? "";
  const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
    exampleTabs: (ids: ExampleIds) => ExampleTab[];
  };
  return module.exampleTabs(ids);
}
