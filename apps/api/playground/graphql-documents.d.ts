// build.mjs bundles .graphql files as their text (esbuild's "text" loader).
declare module "*.graphql" {
  const source: string;
  export default source;
}
