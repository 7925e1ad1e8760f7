import type { IncomingMessage, ServerResponse } from "node:http";
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import { type ApolloServer, HeaderMap } from "@apollo/server";
import type { Config } from "../config.js";
import { type Context, createContext, type Services } from "../graphql/context.js";
import { clientOf } from "../http/client.js";
import { graphqlResponseStatus } from "../http/graphql-status.js";
import { budgetHeaders, rateLimitHeaders } from "../http/rate-limit-headers.js";
import {
  type CachedResponse,
  compress,
  type FreshResponse,
  pickEncoding,
  ResponseCache,
  requestKey,
} from "../http/response-cache.js";
import { httpSession, isHttps, sessionTokenFrom } from "../http/session-cookie.js";
import { BodyTooLargeError, readBody, sendGraphQLError } from "../http/util.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import { AppError, ErrorCode } from "../kernel/errors.js";
import type { RateLimitBudget } from "../kernel/rate-limit-budget.js";

// The GraphQL HTTP handler: body, API key, then Apollo, through the response cache when the request
// may use it, compressed on the way out.

export const MAX_BODY_BYTES = 256 * 1024;
const COMPRESS_ABOVE_BYTES = 1024;

type ApiKeyCaller = Awaited<ReturnType<Services["apiKeys"]["authenticate"]>>;

export interface GraphQLHttpDependencies {
  config: Config;
  apollo: ApolloServer<Context>;
  services: Services;
  log: Logger;
  metrics: Metrics;
}

export type GraphQLHttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
) => Promise<void>;

/** Apollo Server's CSRF rule: only these requests can run GraphQL, so only these may use the cache. */
function isPreflighted(req: IncomingMessage): boolean {
  const contentType = req.headers["content-type"] ?? "";
  if (/^application\/json/i.test(contentType)) return true;
  return Boolean(req.headers["apollo-require-preflight"] || req.headers["x-apollo-operation-name"]);
}

/** The body as Apollo takes it (parsed JSON or raw text), or null when an error was sent instead. */
async function readGraphQLBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ rawBody: string; body: unknown } | null> {
  let rawBody: string;
  try {
    rawBody = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      res.setHeader("connection", "close");
      sendGraphQLError(res, 413, "BAD_REQUEST", error.message);
      return null;
    }
    throw error;
  }
  if (!/^application\/json/i.test(req.headers["content-type"] ?? "")) return { rawBody, body: rawBody };
  try {
    return { rawBody, body: JSON.parse(rawBody) };
  } catch {
    sendGraphQLError(res, 400, "BAD_REQUEST", "The request body is not valid JSON");
    return null;
  }
}

export function createGraphQLHttpHandler(deps: GraphQLHttpDependencies): GraphQLHttpHandler {
  const { config, apollo, services, log, metrics } = deps;
  const responseCache = new ResponseCache(64 * 1024 * 1024);

  async function executeGraphQL(
    req: IncomingMessage,
    method: string,
    search: string,
    body: unknown,
    requestId: string,
    apiKey: ApiKeyCaller,
    requestBudget: RateLimitBudget,
  ): Promise<FreshResponse> {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const setCookies: string[] = [];
    let context: Context | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search, body },
      context: async () => {
        // A request with an API key acts as the key's owner, whatever cookie it carries.
        const token = apiKey ? undefined : sessionTokenFrom(req);
        context = createContext({
          services,
          log,
          requestId,
          viewer: apiKey ? apiKey.viewer : await services.auth.viewerFor(token),
          session: httpSession(token, isHttps(req, config.TRUST_PROXY), setCookies),
          client: clientOf(req, config.TRUST_PROXY),
          apiKey: apiKey?.key,
        });
        return context;
      },
    });
    if (response.body.kind !== "complete") {
      // Incremental delivery needs graphql 17; the schema offers no @defer/@stream.
      throw new Error("Unexpected chunked GraphQL response");
    }
    for (const [name, value] of rateLimitHeaders(
      context?.rateLimit.budget ?? null,
      apiKey !== null,
      response.body.string,
      requestBudget,
    )) {
      response.headers.set(name, value);
    }
    return {
      status: graphqlResponseStatus(response.status ?? 200, response.headers, response.body.string),
      headers: response.headers,
      setCookies,
      body: response.body.string,
    };
  }

  /**
   * A key in safelist mode runs registered operations only (modules/admin/operation-safelist.ts); one
   * sent by its hash alone runs the registered document, put in the request as if it had been sent.
   */
  async function admitSafelisted(
    apiKeyId: string,
    method: string,
    url: URL,
    body: unknown,
  ): Promise<{ search: string; body: unknown }> {
    const fields =
      method === "GET"
        ? {
            query: url.searchParams.get("query") ?? undefined,
            extensions: url.searchParams.get("extensions") ?? undefined,
          }
        : ((body ?? {}) as { query?: unknown; extensions?: unknown });
    let extensions: unknown = fields.extensions;
    if (typeof extensions === "string") {
      try {
        extensions = JSON.parse(extensions);
      } catch {
        extensions = undefined;
      }
    }
    const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
      ?.sha256Hash;
    const document = await services.safelist.admit(apiKeyId, {
      query: typeof fields.query === "string" ? fields.query : undefined,
      sha256Hash: typeof hash === "string" ? hash : undefined,
    });
    if (document === undefined) return { search: url.search, body };
    if (method !== "GET") return { search: url.search, body: { ...(body as object), query: document } };
    const params = new URLSearchParams(url.search);
    params.set("query", document);
    return { search: `?${params}`, body };
  }

  async function sendGraphQLResponse(
    req: IncomingMessage,
    res: ServerResponse,
    response: CachedResponse | FreshResponse,
  ): Promise<void> {
    const encoding = pickEncoding(req.headers["accept-encoding"]);
    const headOnly = req.method === "HEAD";
    res.setHeader("vary", "Accept-Encoding, Origin");
    if ("etag" in response) {
      res.setHeader("content-type", response.contentType);
      res.setHeader("cache-control", response.cacheControl);
      res.setHeader("etag", response.etag);
      if (req.headers["if-none-match"] === response.etag) {
        res.writeHead(304).end();
        return;
      }
      const payload =
        encoding === "identity" ? response.body : await responseCache.encoded(response, encoding);
      if (encoding !== "identity") res.setHeader("content-encoding", encoding);
      res.writeHead(response.status, { "content-length": payload.length });
      res.end(headOnly ? undefined : payload);
      return;
    }
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.setCookies.length) res.setHeader("set-cookie", response.setCookies);
    let payload: Buffer = Buffer.from(response.body);
    if (encoding !== "identity" && payload.length > COMPRESS_ABOVE_BYTES) {
      payload = await compress(payload, encoding);
      res.setHeader("content-encoding", encoding);
    }
    res.writeHead(response.status, { "content-length": payload.length });
    res.end(headOnly ? undefined : payload);
  }

  return async function handleGraphQL(req, res, url, requestId) {
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    // Every request counts against its caller's request budget, and every answer reports it (or a
    // tighter budget the operation counted against), refusals of any kind included.
    const admitted = services.requestBudget.take({
      sessionToken: sessionTokenFrom(req),
      ip: clientOf(req, config.TRUST_PROXY).ip,
    });
    for (const [name, value] of budgetHeaders(admitted.budget)) res.setHeader(name, value);
    if (admitted.retryAfterSeconds !== null) {
      res.setHeader("retry-after", String(admitted.retryAfterSeconds));
      sendGraphQLError(res, 429, ErrorCode.RATE_LIMITED, "Too many requests: wait before sending more", {
        retryAfterSeconds: admitted.retryAfterSeconds,
        limitedBy: admitted.subject,
      });
      return;
    }
    if (method !== "GET" && method !== "POST") {
      res.setHeader("allow", "GET, POST, OPTIONS");
      sendGraphQLError(res, 405, "BAD_REQUEST", "GraphQL accepts GET and POST only");
      return;
    }
    let rawBody = "";
    let body: unknown;
    let search = url.search;
    if (method === "POST") {
      const read = await readGraphQLBody(req, res);
      if (!read) return;
      ({ rawBody, body } = read);
    }
    let apiKey: ApiKeyCaller;
    try {
      apiKey = await services.apiKeys.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      sendGraphQLError(res, code === ErrorCode.FORBIDDEN ? 403 : 401, code, error.message);
      return;
    }
    if (apiKey) {
      try {
        ({ search, body } = await admitSafelisted(apiKey.key.id, method, url, body));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        sendGraphQLError(res, 403, String(error.extensions.code), error.message, error.extensions);
        return;
      }
    }
    // Run the operation in the event loop's check phase, after the poll phase has read every socket that
    // was ready: under load the requests of one loop turn then go through Apollo one after another and
    // their responses are written together. Measured: ~25% less CPU per `{ __typename }` at saturation
    // (docs/benchmarks.md, "The request pipeline"); an idle server only adds one loop turn.
    await nextLoopTurn();
    const execute = () => executeGraphQL(req, method, search, body, requestId, apiKey, admitted.budget);
    // API-key requests are charged per operation and report their cost: never answered from the cache.
    if (!isPreflighted(req) || apiKey) {
      await sendGraphQLResponse(req, res, await execute());
      return;
    }
    const key = requestKey(`${method} ${req.headers.accept ?? ""}`, url.search, rawBody);
    const { response, hit } = await responseCache.get(key, execute);
    metrics.responseCache.inc({ result: hit });
    await sendGraphQLResponse(req, res, response);
  };
}
