import { type IncomingHttpHeaders, request } from "node:http";
import { performance } from "node:perf_hooks";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** As received: still compressed when the server sent a content-encoding. */
  body: Buffer;
  /** From sending the request to the last byte of the response. */
  ms: number;
}

/** One request on a fresh connection, bounded by `timeoutMs`. */
export function httpRequest(
  url: URL,
  options: {
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<HttpResponse> {
  const { method = "GET", headers = {}, body, timeoutMs = 30_000 } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: performance.now() - started,
        }),
      );
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export function decodedBody(response: HttpResponse): Buffer {
  switch (response.headers["content-encoding"]) {
    case "br":
      return brotliDecompressSync(response.body);
    case "gzip":
      return gunzipSync(response.body);
    default:
      return response.body;
  }
}

export interface GraphQLPayload {
  query: string;
  variables?: Record<string, unknown>;
}

export function postGraphQL(
  endpoint: URL,
  payload: GraphQLPayload,
  acceptEncoding = "identity",
): Promise<HttpResponse> {
  return httpRequest(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", "accept-encoding": acceptEncoding },
    body: JSON.stringify(payload),
  });
}

interface GraphQLResult<TData> {
  data?: TData;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The `data` of a GraphQL response; throws on any error, so a broken setup stops the run. */
export function parseGraphQL<TData>(response: HttpResponse): TData {
  const text = decodedBody(response).toString("utf8");
  let result: GraphQLResult<TData>;
  try {
    result = JSON.parse(text) as GraphQLResult<TData>;
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (response.status !== 200 || result.errors?.length || !result.data) {
    const reasons = result.errors?.map((error) => `${error.extensions?.code ?? "?"}: ${error.message}`);
    throw new Error(`HTTP ${response.status}, GraphQL errors: ${reasons?.join("; ") ?? text.slice(0, 200)}`);
  }
  return result.data;
}

export async function queryGraphQL<TData>(endpoint: URL, payload: GraphQLPayload): Promise<TData> {
  return parseGraphQL<TData>(await postGraphQL(endpoint, payload));
}
