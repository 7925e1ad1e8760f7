// The API URL is read per request on the server and handed to the browser through the root layout.
// Next inlines `process.env.NEXT_PUBLIC_*` property reads at build time; reading through a plain
// object reference keeps the value a runtime setting, so one build can be pointed at any API.
const runtimeEnv: Readonly<Record<string, string | undefined>> = process.env;

const DEFAULT_API_URL = "http://localhost:4000/graphql";

/** The URL browsers use for the API (and its playground). */
export function publicApiUrl(): string {
  return runtimeEnv.NEXT_PUBLIC_API_URL || DEFAULT_API_URL;
}

/** The URL this server uses; differs from the public one when the API is reached over a private network. */
export function serverApiUrl(): string {
  return runtimeEnv.API_INTERNAL_URL || publicApiUrl();
}
