import { Agent, type IncomingHttpHeaders, request } from "node:http";
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

/** One GraphQL request; `cookie` (`frontrow_session=<token>`) sends it as that account. */
export function postGraphQL(
  endpoint: URL,
  payload: GraphQLPayload,
  acceptEncoding = "identity",
  cookie?: string,
): Promise<HttpResponse> {
  return httpRequest(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "accept-encoding": acceptEncoding,
      ...(cookie ? { cookie } : {}),
    },
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

export async function queryGraphQL<TData>(
  endpoint: URL,
  payload: GraphQLPayload,
  cookie?: string,
): Promise<TData> {
  return parseGraphQL<TData>(await postGraphQL(endpoint, payload, "identity", cookie));
}

export interface GraphQLAnswer<TData = Record<string, unknown>> {
  status: number;
  /** HTTP 200, data and no error. */
  ok: boolean;
  data: TData | undefined;
  errors: { code: string; message: string }[];
  /** The first error's code: "NETWORK" when no answer came, "NOT_JSON" for an answer that is not JSON. */
  code: string | undefined;
}

/** What a GraphQL answer says, without throwing: under load, errors are counted, not fatal. */
export function readAnswer<TData = Record<string, unknown>>(
  status: number,
  text: string,
): GraphQLAnswer<TData> {
  let result: GraphQLResult<TData>;
  try {
    result = JSON.parse(text) as GraphQLResult<TData>;
  } catch {
    const message = `HTTP ${status}, not JSON: ${text.slice(0, 120)}`;
    return { status, ok: false, data: undefined, errors: [{ code: "NOT_JSON", message }], code: "NOT_JSON" };
  }
  const errors = (result.errors ?? []).map((error) => ({
    code: error.extensions?.code ?? "UNKNOWN",
    message: error.message,
  }));
  const data = result.data ?? undefined;
  return {
    status,
    ok: status === 200 && !errors.length && data !== undefined,
    data,
    errors,
    code: errors[0]?.code,
  };
}

/** Idle keep-alive sockets are closed before the API's 5 s keep-alive timeout could race a request. */
const IDLE_SOCKET_MS = 4_000;

/** GraphQL over a pool of keep-alive connections, as many fans (each by its session cookie). */
export class GraphQLClient {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(
    private readonly url: URL,
    { maxSockets, timeoutMs = 30_000 }: { maxSockets: number; timeoutMs?: number },
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
    this.timeoutMs = timeoutMs;
  }

  /** POSTs a ready JSON body; rejects when no answer comes (connection error, timeout). */
  post(body: string, cookie?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolvePromise, reject) => {
      const req = request(
        this.url,
        {
          method: "POST",
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(cookie ? { cookie } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () =>
            resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** One operation as the fan with `cookie` (none: anonymous); a request that got no answer is "NETWORK". */
  async send<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    cookie?: string,
  ): Promise<GraphQLAnswer<TData>> {
    try {
      const { status, text } = await this.post(JSON.stringify({ query, variables }), cookie);
      return readAnswer<TData>(status, text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        status: 0,
        ok: false,
        data: undefined,
        errors: [{ code: "NETWORK", message }],
        code: "NETWORK",
      };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
