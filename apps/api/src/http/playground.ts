import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The self-hosted GraphQL playground (GraphiQL bundled by playground/build.mjs): served on GET /graphql
// to browsers, with its assets under /graphql/playground/. Everything is read once at boot and answered
// from memory; nothing is fetched from a CDN, by the server or by the browser.

export interface PlaygroundOptions {
  /** The folder written by `pnpm build:playground` (normally `playgroundAssetsDir`). */
  assetsDir: string;
  /** The Frontrow web app, linked from the page header. */
  webAppUrl: string;
  /** Ids of seeded events the example tabs fill in (playground/examples.ts, ExampleIds). */
  exampleIds?: Record<string, string>;
}

export type PlaygroundHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Where the build puts the playground: dist/playground, seen from this file compiled to dist/src/http. */
export const playgroundAssetsDir = fileURLToPath(new URL("../../playground/", import.meta.url));

const endpointPath = "/graphql";
const assetPathPrefix = `${endpointPath}/playground/`;

type ContentEncoding = "br" | "gzip";
// Brotli first: smaller than gzip for the same content, and every browser that sends it decodes it.
const precompressedEncodings: readonly ContentEncoding[] = ["br", "gzip"];

interface Asset {
  contentType: string;
  identity: Buffer;
  precompressed: Map<ContentEncoding, Buffer>;
}

interface Manifest {
  script: string;
  stylesheet: string;
}

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

// Hashed names from our own build: anything else in the manifest means it is not ours or is corrupt.
const assetFileName = /^[A-Za-z0-9_-]+\.(js|css)$/;

export function createPlayground(options: PlaygroundOptions): PlaygroundHandler {
  const manifest = readManifest(options.assetsDir);
  const assets = new Map<string, Asset>([
    [manifest.script, readAsset(options.assetsDir, manifest.script)],
    [manifest.stylesheet, readAsset(options.assetsDir, manifest.stylesheet)],
  ]);
  const page = renderPage(options, manifest);

  return (request, response) => {
    const path = requestPath(request.url);
    const isReadMethod = request.method === "GET" || request.method === "HEAD";

    if (path === endpointPath) {
      if (!isReadMethod || !prefersHtml(request.headers.accept)) return false;
      sendPage(request, response, page);
      return true;
    }

    if (path.startsWith(assetPathPrefix)) {
      if (!isReadMethod) {
        sendPlainText(response, 405, "Method not allowed", { Allow: "GET, HEAD" });
        return true;
      }
      // Exact lookup among the files read at boot: "..", encoded slashes or any other name cannot
      // reach the file system.
      const asset = assets.get(path.slice(assetPathPrefix.length));
      if (!asset) sendPlainText(response, 404, "Not found");
      else sendAsset(request, response, asset);
      return true;
    }

    return false;
  };
}

function readManifest(assetsDir: string): Manifest {
  const manifestPath = join(assetsDir, "manifest.json");
  let text: string;
  try {
    text = readFileSync(manifestPath, "utf8");
  } catch (error) {
    throw new Error(
      `The GraphQL playground is not built: ${manifestPath} is missing. Run \`pnpm build\` ` +
        "(or `pnpm --filter @frontrow/api build:playground`) first.",
      { cause: error },
    );
  }
  const parsed: unknown = JSON.parse(text);
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    !("script" in parsed) ||
    !("stylesheet" in parsed) ||
    typeof parsed.script !== "string" ||
    typeof parsed.stylesheet !== "string" ||
    !assetFileName.test(parsed.script) ||
    !assetFileName.test(parsed.stylesheet)
  ) {
    throw new Error(`${manifestPath} is not a playground manifest; rebuild with \`pnpm build\``);
  }
  return { script: parsed.script, stylesheet: parsed.stylesheet };
}

function readAsset(assetsDir: string, fileName: string): Asset {
  const extension = fileName.slice(fileName.lastIndexOf("."));
  const contentType = contentTypes[extension];
  if (!contentType) throw new Error(`No content type known for playground asset ${fileName}`);
  const filePath = join(assetsDir, fileName);
  let identity: Buffer;
  try {
    identity = readFileSync(filePath);
  } catch (error) {
    throw new Error(`The GraphQL playground build is incomplete (${filePath}); run \`pnpm build\` again.`, {
      cause: error,
    });
  }
  const precompressed = new Map<ContentEncoding, Buffer>();
  for (const encoding of precompressedEncodings) {
    const variant = readOptionalFile(`${filePath}.${encoding === "gzip" ? "gz" : encoding}`);
    if (variant) precompressed.set(encoding, variant);
  }
  return { contentType, identity, precompressed };
}

function readOptionalFile(filePath: string): Buffer | undefined {
  try {
    return readFileSync(filePath);
  } catch {
    return undefined;
  }
}

/** The page with everything known at boot filled in, split where each response's style nonce goes. */
interface RenderedPage {
  parts: Buffer[];
}

const styleNoncePlaceholder = "{{styleNonce}}";

function renderPage(options: PlaygroundOptions, manifest: Manifest): RenderedPage {
  const templatePath = join(options.assetsDir, "index.html");
  let template: string;
  try {
    template = readFileSync(templatePath, "utf8");
  } catch (error) {
    throw new Error(
      `The GraphQL playground build is incomplete (${templatePath}); run \`pnpm build\` again.`,
      {
        cause: error,
      },
    );
  }
  const values: Record<string, string> = {
    script: `${assetPathPrefix}${manifest.script}`,
    stylesheet: `${assetPathPrefix}${manifest.stylesheet}`,
    webAppUrl: validWebAppUrl(options.webAppUrl),
    exampleIds: JSON.stringify(options.exampleIds ?? {}),
  };
  const page = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    if (placeholder === styleNoncePlaceholder) return placeholder;
    const value = values[name];
    if (value === undefined) throw new Error(`Unknown placeholder ${placeholder} in ${templatePath}`);
    return escapeHtml(value);
  });
  return { parts: page.split(styleNoncePlaceholder).map((part) => Buffer.from(part, "utf8")) };
}

function validWebAppUrl(webAppUrl: string): string {
  let url: URL;
  try {
    url = new URL(webAppUrl);
  } catch {
    throw new Error(`The playground's web app URL is not a URL: ${JSON.stringify(webAppUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`The playground's web app URL must be http(s): ${JSON.stringify(webAppUrl)}`);
  }
  // Shown to people, so keep the form they configured ("http://localhost:3000", not ".../").
  return url.href === `${url.origin}/` && !webAppUrl.endsWith("/") ? url.origin : url.href;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The path of the request target, without query string, and without normalising "..". */
function requestPath(target: string | undefined): string {
  if (!target) return "/";
  const queryStart = target.indexOf("?");
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  if (path.startsWith("/")) return path;
  // Absolute form ("GET http://host/graphql"), as some proxies send it.
  try {
    return new URL(path).pathname;
  } catch {
    return path;
  }
}

function sendPage(request: IncomingMessage, response: ServerResponse, page: RenderedPage): void {
  // A fresh nonce per response: the only inline <style> the page accepts is one that GraphiQL's dialogs
  // inject with it (see playground/main.tsx).
  const styleNonce = randomBytes(16).toString("base64");
  const html = Buffer.concat(
    page.parts.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(styleNonce), part])),
  );
  response.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": html.length,
    // Small, and it names the current hashed assets: always revalidate.
    "Cache-Control": "no-cache",
    // The same URL answers GraphQL requests with JSON.
    Vary: "Accept",
    "Content-Security-Policy": contentSecurityPolicy(request.headers.host, styleNonce),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
  });
  response.end(request.method === "HEAD" ? undefined : html);
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: Asset): void {
  const encoding = chooseEncoding(request.headers["accept-encoding"], asset);
  const body = encoding ? (asset.precompressed.get(encoding) ?? asset.identity) : asset.identity;
  response.writeHead(200, {
    "Content-Type": asset.contentType,
    "Content-Length": body.length,
    ...(encoding ? { "Content-Encoding": encoding } : {}),
    // Content-hashed names: a new build gets new URLs, so a copy never needs revalidating.
    "Cache-Control": "public, max-age=31536000, immutable",
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

function sendPlainText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  response.end(text);
}

// Host and port only (name, IPv4 or bracketed IPv6): anything else must not reach a header value.
const plainHost = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function contentSecurityPolicy(host: string | undefined, styleNonce: string): string {
  // CSP Level 3 browsers let 'self' cover ws:/wss: to the same host; older ones need them spelled out.
  const sameHostSockets = host && plainHost.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    // GraphiQL's stylesheet embeds its fonts and icons as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    `connect-src 'self'${sameHostSockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

interface QualityValue {
  value: string;
  quality: number;
}

/** Parses `Accept`-style headers: "text/html, application/json;q=0.9, *\/*;q=0.1". */
function parseQualityList(header: string): QualityValue[] {
  return header
    .split(",")
    .map((part) => {
      const [rawValue = "", ...parameters] = part.split(";");
      let quality = 1;
      for (const parameter of parameters) {
        const [name, rawQuality] = parameter.split("=").map((piece) => piece.trim());
        if (name?.toLowerCase() === "q" && rawQuality !== undefined) {
          const parsed = Number(rawQuality);
          quality = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
        }
      }
      return { value: rawValue.trim().toLowerCase(), quality };
    })
    .filter((entry) => entry.value !== "");
}

/** The quality given to a media type by its most specific matching range (exact, then type/*, then *\/*). */
function mediaTypeQuality(ranges: QualityValue[], mediaType: string): number {
  const type = mediaType.slice(0, mediaType.indexOf("/"));
  for (const candidate of [mediaType, `${type}/*`, "*/*"]) {
    const match = ranges.find((range) => range.value === candidate);
    if (match) return match.quality;
  }
  return 0;
}

/**
 * True when the client prefers HTML to any GraphQL response type: browsers navigating to /graphql.
 * A tie (including no Accept header or a bare *\/*) goes to the API, so GraphQL clients never get a page.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseQualityList(accept);
  const html = mediaTypeQuality(ranges, "text/html");
  const graphqlResponse = Math.max(
    mediaTypeQuality(ranges, "application/json"),
    mediaTypeQuality(ranges, "application/graphql-response+json"),
  );
  return html > 0 && html > graphqlResponse;
}

function chooseEncoding(acceptEncoding: string | undefined, asset: Asset): ContentEncoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = parseQualityList(acceptEncoding);
  const wildcard = accepted.find((entry) => entry.value === "*")?.quality ?? 0;
  let best: { encoding: ContentEncoding; quality: number } | undefined;
  for (const encoding of precompressedEncodings) {
    if (!asset.precompressed.has(encoding)) continue;
    const quality = accepted.find((entry) => entry.value === encoding)?.quality ?? wildcard;
    if (quality > 0 && (!best || quality > best.quality)) best = { encoding, quality };
  }
  return best?.encoding;
}
