import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlibConstants } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// A shared, in-process cache of whole GraphQL responses, the way a CDN would keep them: only
// responses that Apollo's cache-control plugin marked `public` with a max-age (every field in them
// hinted as the same for every caller, and no errors) are stored, for that max-age. Identical requests
// meanwhile are answered from memory, already compressed, and concurrent misses share one execution.
// This is what makes thousands of fans opening the same stadium map at once cheap.

export type Encoding = "br" | "gzip" | "identity";

export interface CachedResponse {
  status: number;
  contentType: string;
  cacheControl: string;
  body: Buffer;
  etag: string;
  expiresAt: number;
  encoded: Partial<Record<Exclude<Encoding, "identity">, Promise<Buffer>>>;
}

export interface FreshResponse {
  status: number;
  headers: Map<string, string>;
  /** Set-Cookie values: a response that sets a cookie belongs to one caller and is never shared. */
  setCookies: string[];
  body: string;
}

const PUBLIC_MAX_AGE = /^max-age=(\d+), public$/;

export function cacheableFor(cacheControl: string | undefined): number {
  const match = cacheControl ? PUBLIC_MAX_AGE.exec(cacheControl) : null;
  return match ? Number(match[1]) : 0;
}

export function requestKey(method: string, search: string, body: string): string {
  return createHash("sha256")
    .update(method)
    .update("\0")
    .update(search)
    .update("\0")
    .update(body)
    .digest("base64url");
}

export function pickEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = (acceptEncoding ?? "").toLowerCase();
  if (/\bbr\b/.test(accepted)) return "br";
  if (/\bgzip\b/.test(accepted)) return "gzip";
  return "identity";
}

export function compress(body: Buffer, encoding: Exclude<Encoding, "identity">): Promise<Buffer> {
  return encoding === "br"
    ? brotli(body, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : gzipAsync(body, { level: 6 });
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private readonly inFlight = new Map<string, Promise<CachedResponse | FreshResponse>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * The cached response for `key`, or the result of `execute` (stored when cacheable). Callers that
   * arrive while the same request executes wait for it: an uncacheable result is then theirs to redo.
   */
  async get(
    key: string,
    execute: () => Promise<FreshResponse>,
  ): Promise<{ response: CachedResponse | FreshResponse; hit: "hit" | "shared" | "miss" }> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) return { response: cached, hit: "hit" };
    if (cached) this.remove(key, cached);
    const pending = this.inFlight.get(key);
    if (pending) {
      const response = await pending;
      if ("etag" in response) return { response, hit: "shared" };
      return { response: await execute(), hit: "miss" };
    }
    const run = execute().then((fresh) => this.store(key, fresh));
    this.inFlight.set(key, run);
    try {
      return { response: await run, hit: "miss" };
    } finally {
      this.inFlight.delete(key);
    }
  }

  encoded(entry: CachedResponse, encoding: Exclude<Encoding, "identity">): Promise<Buffer> {
    entry.encoded[encoding] ??= compress(entry.body, encoding);
    return entry.encoded[encoding];
  }

  private store(key: string, fresh: FreshResponse): CachedResponse | FreshResponse {
    const cacheControl = fresh.headers.get("cache-control");
    const maxAge = cacheableFor(cacheControl);
    if (fresh.status !== 200 || maxAge <= 0 || !cacheControl || fresh.setCookies.length > 0) return fresh;
    const body = Buffer.from(fresh.body);
    if (body.length > this.maxBytes / 4) return fresh;
    const entry: CachedResponse = {
      status: fresh.status,
      contentType: fresh.headers.get("content-type") ?? "application/json; charset=utf-8",
      cacheControl,
      body,
      etag: `"${createHash("sha1").update(body).digest("base64url")}"`,
      expiresAt: Date.now() + maxAge * 1000,
      encoded: {},
    };
    this.bytes += body.length;
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  /** Over budget: drop the oldest entries (insertion order) until the cache fits again. */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: CachedResponse): void {
    if (this.entries.get(key) === entry) {
      this.entries.delete(key);
      this.bytes -= entry.body.length;
    }
  }
}
