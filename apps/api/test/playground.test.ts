import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { buildSchema, getVariableValues, Kind, parse, validate } from "graphql";
import { createPlayground, playgroundAssetsDir, prefersHtml } from "../src/http/playground.js";
import { loadExampleTabs } from "./support/playground-examples.js";

// Runs against the real build output (dist/playground), so `pnpm build:playground` must have run.

const chromeAccept =
  "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";
const notHandledStatus = 418;
const cdnHosts =
  /unpkg\.com|jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com/i;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server;
let origin: string;

/** A raw request: no URL normalisation (so ".." reaches the server) and no automatic decompression. */
function request(path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const outgoing = http.request(
      `${origin}/`,
      { method: options.method ?? "GET", path, headers: options.headers ?? {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

function browserGet(path: string, headers: Record<string, string> = {}) {
  return request(path, { headers: { accept: chromeAccept, ...headers } });
}

function attributeValues(html: string, tag: string, attribute: string): string[] {
  const tagPattern = new RegExp(`<${tag}\\b[^>]*>`, "gi");
  const attributePattern = new RegExp(`\\b${attribute}\\s*=\\s*"([^"]*)"`, "i");
  return [...html.matchAll(tagPattern)].flatMap((match) => {
    const value = attributePattern.exec(match[0])?.[1];
    return value === undefined ? [] : [value];
  });
}

async function pageAssets(): Promise<{ html: string; scripts: string[]; stylesheets: string[] }> {
  const page = await browserGet("/graphql");
  const html = page.body.toString("utf8");
  return {
    html,
    scripts: attributeValues(html, "script", "src"),
    stylesheets: attributeValues(html, "link", "href"),
  };
}

before(async () => {
  const playground = createPlayground({ assetsDir: playgroundAssetsDir, webAppUrl: "http://localhost:3000" });
  server = http.createServer((incoming, outgoing) => {
    if (playground(incoming, outgoing)) return;
    // Stands in for Apollo Server: whatever the playground declines.
    outgoing.writeHead(notHandledStatus, { "content-type": "text/plain" });
    outgoing.end("not handled by the playground");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

describe("playground page", () => {
  it("is served to a browser opening /graphql, with a strict CSP", async () => {
    const page = await browserGet("/graphql");
    assert.equal(page.status, 200);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(page.headers["cache-control"], "no-cache");
    assert.match(String(page.headers.vary), /Accept/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    const html = page.body.toString("utf8");
    assert.match(html, /<title>Frontrow GraphQL playground<\/title>/);
    assert.match(html, /<a href="http:\/\/localhost:3000">/);
    assert.match(html, /CSRF/);

    const policy = String(page.headers["content-security-policy"]);
    const directives = new Map(
      policy.split(";").map((directive) => {
        const [name = "", ...sources] = directive.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    assert.deepEqual(directives.get("default-src"), ["'none'"]);
    assert.deepEqual(directives.get("script-src"), ["'self'"]);
    // The one inline <style> allowed is GraphiQL's scroll lock, carrying this response's nonce.
    const styleNonce = /<meta name="style-nonce" content="([A-Za-z0-9+/=]{24})" \/>/.exec(html)?.[1];
    assert.ok(styleNonce, "the page carries its style nonce");
    assert.deepEqual(directives.get("style-src"), ["'self'", `'nonce-${styleNonce}'`]);
    const nextPage = (await browserGet("/graphql")).body.toString("utf8");
    assert.ok(!nextPage.includes(styleNonce), "a fresh nonce per response");
    assert.deepEqual(directives.get("frame-ancestors"), ["'none'"]);
    const host = new URL(origin).host;
    assert.deepEqual(directives.get("connect-src"), ["'self'", `ws://${host}`, `wss://${host}`]);
    assert.doesNotMatch(policy, /unsafe-eval|https?:\/\/(?!127\.0\.0\.1)|\*/);
  });

  it("still works with a query string, and answers HEAD without a body", async () => {
    assert.equal((await browserGet("/graphql?tab=1")).status, 200);
    const head = await request("/graphql", { method: "HEAD", headers: { accept: chromeAccept } });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers["content-length"]) > 0);
  });

  it("leaves the CSP's socket sources out when the Host header is not a plain host", async () => {
    const page = await browserGet("/graphql", { host: "evil; script-src *" });
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-security-policy"]), /connect-src 'self';/);
  });

  it("loads its script and stylesheet from this server only", async () => {
    const { scripts, stylesheets } = await pageAssets();
    assert.equal(scripts.length, 1);
    assert.equal(stylesheets.length, 1);
    for (const reference of [...scripts, ...stylesheets]) {
      assert.equal(new URL(reference, `${origin}/graphql`).origin, origin, `${reference} is not same-origin`);
      assert.match(reference, /^\/graphql\/playground\/[\w-]+\.(js|css)$/);
      const asset = await request(reference);
      assert.equal(asset.status, 200, reference);
    }
  });

  it("contains no CDN or remote font URL in its HTML, JavaScript or CSS", async () => {
    const { html, scripts, stylesheets } = await pageAssets();
    const [script = "", stylesheet = ""] = [...scripts, ...stylesheets];
    const javascript = (await request(script)).body.toString("utf8");
    const css = (await request(stylesheet)).body.toString("utf8");
    for (const [name, text] of [
      ["HTML", html],
      ["JavaScript", javascript],
      ["CSS", css],
    ] as const) {
      assert.doesNotMatch(text, cdnHosts, `${name} refers to a CDN`);
    }
    // Fonts and icons are embedded: the stylesheet imports and fetches nothing.
    assert.doesNotMatch(css, /@import/);
    assert.doesNotMatch(css, /url\(\s*["']?(https?:)?\/\//i);
    assert.match(css, /@font-face/);
    // No dynamic module loading from elsewhere either.
    assert.doesNotMatch(javascript, /import\(\s*["'`]https?:/);
  });

  it("escapes the configured web app URL and refuses one that is not http(s)", async () => {
    const playground = createPlayground({
      assetsDir: playgroundAssetsDir,
      webAppUrl: "https://tickets.example/?from=api&x=<b>",
    });
    const otherServer = http.createServer((incoming, outgoing) => {
      if (!playground(incoming, outgoing)) outgoing.writeHead(notHandledStatus).end();
    });
    await new Promise<void>((resolve) => otherServer.listen(0, "127.0.0.1", resolve));
    try {
      const port = (otherServer.address() as AddressInfo).port;
      const html = await fetch(`http://127.0.0.1:${port}/graphql`, {
        headers: { accept: chromeAccept },
      }).then((response) => response.text());
      assert.match(html, /<a href="https:\/\/tickets\.example\/\?from=api&amp;x=%3Cb%3E">/);
      assert.doesNotMatch(html, /<b>/);
    } finally {
      await new Promise((resolve) => otherServer.close(resolve));
    }

    assert.throws(
      () => createPlayground({ assetsDir: playgroundAssetsDir, webAppUrl: "javascript:alert(1)" }),
      /must be http\(s\)/,
    );
    assert.throws(
      () => createPlayground({ assetsDir: playgroundAssetsDir, webAppUrl: "not a url" }),
      /not a URL/,
    );
  });
});

describe("playground assets", () => {
  it("are served with their content type and immutable cache headers", async () => {
    const { scripts, stylesheets } = await pageAssets();
    const expectations = [
      [scripts[0] ?? "", "text/javascript; charset=utf-8"],
      [stylesheets[0] ?? "", "text/css; charset=utf-8"],
    ] as const;
    for (const [path, contentType] of expectations) {
      const asset = await request(path);
      assert.equal(asset.headers["content-type"], contentType);
      assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
      assert.equal(asset.headers["x-content-type-options"], "nosniff");
      assert.equal(asset.headers["content-encoding"], undefined);
      assert.equal(Number(asset.headers["content-length"]), asset.body.length);
      assert.ok(asset.body.length > 1000);
    }
  });

  it("are sent precompressed when the browser accepts brotli or gzip", async () => {
    const { scripts } = await pageAssets();
    const path = scripts[0] ?? "";
    const identity = (await request(path)).body;

    const brotli = await request(path, { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.equal(brotli.headers["content-encoding"], "br");
    assert.match(String(brotli.headers.vary), /Accept-Encoding/);
    assert.ok(brotliDecompressSync(brotli.body).equals(identity));

    const gzip = await request(path, { headers: { "accept-encoding": "gzip, br;q=0" } });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.ok(gunzipSync(gzip.body).equals(identity));

    const refused = await request(path, { headers: { "accept-encoding": "identity, *;q=0" } });
    assert.equal(refused.headers["content-encoding"], undefined);
  });

  it("answer 404 to unknown names and path traversal attempts", async () => {
    const attempts = [
      "/graphql/playground/",
      "/graphql/playground/manifest.json",
      "/graphql/playground/index.html",
      "/graphql/playground/missing-ABCDEF.js",
      "/graphql/playground/../../package.json",
      "/graphql/playground/../playground/manifest.json",
      "/graphql/playground/..%2F..%2Fpackage.json",
      "/graphql/playground/%2e%2e/%2e%2e/package.json",
      "/graphql/playground//etc/passwd",
      "/graphql/playground/..\\..\\package.json",
    ];
    for (const path of attempts) {
      const response = await request(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body.toString("utf8"), /"name"|root:/, path);
    }
    const { scripts } = await pageAssets();
    assert.equal((await request(`${scripts[0]}.br`)).status, 404, "compressed variants are not addressable");
  });

  it("refuse methods other than GET and HEAD", async () => {
    const { scripts } = await pageAssets();
    const response = await request(scripts[0] ?? "", { method: "POST" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.allow, "GET, HEAD");
  });
});

describe("requests the playground leaves to the GraphQL server", () => {
  it("does not handle GraphQL clients asking for JSON", async () => {
    const accepts = [
      "application/json",
      "application/graphql-response+json",
      "application/graphql-response+json, application/json;q=0.9",
      "application/json, text/html;q=0.9",
      "text/html;q=0.5, application/json",
      "text/html, application/json",
      "*/*",
      "text/html;q=0",
    ];
    for (const accept of accepts) {
      assert.equal((await request("/graphql", { headers: { accept } })).status, notHandledStatus, accept);
    }
    assert.equal((await request("/graphql")).status, notHandledStatus, "no Accept header");
  });

  it("does not handle POSTs or other paths, even from a browser", async () => {
    const post = await request("/graphql", { method: "POST", headers: { accept: chromeAccept } });
    assert.equal(post.status, notHandledStatus);
    for (const path of ["/", "/health", "/graphql/", "/graphqlx", "/graphql/other"]) {
      assert.equal((await browserGet(path)).status, notHandledStatus, path);
    }
  });

  it("prefersHtml follows quality values and specificity", () => {
    assert.equal(prefersHtml(chromeAccept), true);
    assert.equal(prefersHtml("text/html"), true);
    assert.equal(prefersHtml("text/*, application/json;q=0.5"), true);
    assert.equal(prefersHtml("text/html;q=0.9, application/json;q=0.8"), true);
    assert.equal(prefersHtml(undefined), false);
    assert.equal(prefersHtml(""), false);
    assert.equal(prefersHtml("application/json, */*;q=0.5"), false);
    assert.equal(prefersHtml("text/html;q=abc"), false);
  });
});

describe("createPlayground at boot", () => {
  it("fails clearly when the playground has not been built", () => {
    const emptyDir = mkdtempSync(join(tmpdir(), "frontrow-playground-"));
    try {
      assert.throws(
        () => createPlayground({ assetsDir: emptyDir, webAppUrl: "http://localhost:3000" }),
        /playground is not built.*pnpm build/s,
      );
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe("example tabs", () => {
  it("are the web app's operations, valid against schema.graphql, with variables that fit them", async () => {
    const schema = buildSchema(
      readFileSync(fileURLToPath(new URL("../../../../schema.graphql", import.meta.url)), "utf8"),
    );
    const tabs = await loadExampleTabs();
    assert.ok(tabs.length >= 4);
    for (const tab of tabs) {
      const document = parse(tab.query);
      const operations = document.definitions.filter(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      );
      const names = operations.map((operation) => operation.name?.value ?? "(anonymous)").join(", ");
      assert.deepEqual(validate(schema, document), [], names);
      const variables = JSON.parse(tab.variables) as Record<string, unknown>;
      for (const operation of operations) {
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
        assert.deepEqual(coerced.errors ?? [], [], names);
      }
    }
  });
});
