import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { test } from "node:test";
import { applyCors, websocketOriginAllowed } from "./cors.js";

const ORIGINS = ["http://localhost:3000"];

function request(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

function response() {
  const headers: Record<string, unknown> = {};
  let status: number | undefined;
  const res = {
    setHeader: (name: string, value: unknown) => {
      headers[name] = value;
    },
    writeHead: (code: number, more: Record<string, unknown> = {}) => {
      status = code;
      Object.assign(headers, more);
    },
    end: () => undefined,
  };
  return { res: res as unknown as ServerResponse, headers, status: () => status };
}

test("an allowed origin gets credentialed CORS headers; others get none", () => {
  const allowed = response();
  assert.equal(applyCors(request("POST", { origin: ORIGINS[0] as string }), allowed.res, ORIGINS), false);
  assert.equal(allowed.headers["access-control-allow-origin"], ORIGINS[0]);
  assert.equal(allowed.headers["access-control-allow-credentials"], "true");
  const other = response();
  applyCors(request("POST", { origin: "https://evil.example" }), other.res, ORIGINS);
  assert.equal(other.headers["access-control-allow-origin"], undefined);
});

test("a preflight is answered here with 204 and the allowed methods and headers", () => {
  const preflight = response();
  assert.equal(applyCors(request("OPTIONS", { origin: ORIGINS[0] as string }), preflight.res, ORIGINS), true);
  assert.equal(preflight.status(), 204);
  assert.equal(preflight.headers["access-control-allow-methods"], "GET, POST, OPTIONS");
  assert.match(String(preflight.headers["access-control-allow-headers"]), /authorization/);
});

test("WebSockets open from the web app, from the API's own pages, or without an Origin", () => {
  const from = (origin: string | undefined) =>
    websocketOriginAllowed(
      request("GET", { host: "api.example:4000", ...(origin ? { origin } : {}) }),
      ORIGINS,
    );
  assert.equal(from(ORIGINS[0]), true);
  assert.equal(from("http://api.example:4000"), true);
  assert.equal(from(undefined), true);
  assert.equal(from("https://evil.example"), false);
  assert.equal(from("not a url"), false);
});
