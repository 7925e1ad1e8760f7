import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "@graphql-codegen/cli";

// Paths are resolved from this file, so the config works from the root and from apps/web alike.
const fromRoot = (relativePath: string) => fileURLToPath(new URL(relativePath, import.meta.url));

const config: CodegenConfig = {
  schema: fromRoot("schema.graphql"),
  // The web app's operations are written once, in packages/operations; the playground shows the same files.
  documents: [fromRoot("packages/operations/*.graphql")],
  ignoreNoDocuments: false,
  generates: {
    [fromRoot("apps/web/src/gql/")]: {
      preset: "client",
      presetConfig: {
        // Components receive plain typed data; masking would add unwrapping without a real boundary here.
        fragmentMasking: false,
      },
      config: {
        scalars: { DateTime: "string", JSON: "unknown", JSONObject: "Record<string, unknown>" },
        defaultScalarType: "unknown",
        strictScalars: true,
        enumType: "string-literal",
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false },
        nonOptionalTypename: false,
        skipTypeNameForRoot: true,
      },
    },
  },
};

export default config;
