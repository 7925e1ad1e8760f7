import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { DEMO_ACCOUNTS } from "../src/seed/accounts.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { MANY_LOGINS } from "./support/holds.js";
import { startTestServer, type TestServer } from "./support/server.js";

// Issue 12: hostile values for every argument of every root field (Query, Mutation, Subscription),
// generated from the schema's types, so that a new field or argument is fuzzed without anyone remembering
// to. Over HTTP and WebSocket, anonymous, as a fan and as an admin, against a production-mode instance.
// Fails on any INTERNAL_SERVER_ERROR or error without a code, any 5xx, any answer over 2 s, any stack trace.
// CI runs every value of every argument once, as one identity in turn, over both transports (~15 s here);
// FUZZ_LONG=1 runs each as every identity.

const LONG = process.env.FUZZ_LONG === "1";
const MAX_ANSWER_MS = 2_000;
const CONCURRENCY = 6;
// A subscription that answers nothing for this long was accepted: that is a fine outcome.
const SUBSCRIPTION_QUIET_MS = 300;

let database: TestDatabase;
let api: TestServer;
const cookies: Record<string, string | undefined> = { anonymous: undefined };

/** The printed schema (test/schema.test.ts keeps it equal to the server's). */
const printed = buildSchema(readFileSync(new URL("../../../../schema.graphql", import.meta.url), "utf8"));
const mutationNames = Object.keys(printed.getMutationType()?.getFields() ?? {});
const NO_LIMIT = { points: 1_000_000_000, seconds: 60 };

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    NODE_ENV: "production",
    // Every call must reach its resolver: a rate limit would answer most of them with RATE_LIMITED.
    RATE_LIMITS: JSON.stringify(
      Object.fromEntries(
        mutationNames.map((name) => [`Mutation.${name}`, { account: NO_LIMIT, ip: NO_LIMIT }]),
      ),
    ),
    SIGNUPS_PER_IP_BEFORE_SIGNAL: "1000000",
  });
  for (const [name, account] of [
    ["fan", DEMO_ACCOUNTS.fan],
    ["admin", DEMO_ACCOUNTS.admin],
  ] as const) {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
        variables: { e: account.email, p: account.password },
      }),
    });
    const cookie = response.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
    assert.ok(cookie, `log in as ${name}`);
    cookies[name] = cookie.split(";")[0];
  }
});

after(async () => {
  await api?.close();
  await database?.dispose();
});

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0007b",
  "\ud800",
  "%",
  "_",
  "\\",
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, as text on purpose
  "${jndi:ldap://x}",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "-1",
  "0",
  "1",
  "2147483648",
  "99999999999999999999999",
  "1e309",
  "NaN",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "🎟️".repeat(100),
  "x".repeat(1_999),
  "x".repeat(2_001),
  "x".repeat(60_000),
];
const HOSTILE_INTS = [0, -1, 1, 2_147_483_647, -2_147_483_648, 2_147_483_648, 1.5, "1", true];
const HOSTILE_FLOATS = [0, -0.0001, 1e308, -1e308, "NaN", 1];
const HOSTILE_DATES = [
  "",
  "yesterday",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "2026-02-30T00:00:00Z",
  0,
];

/** An input object with plausible values in its required fields. */
function plausibleObject(type: GraphQLInputObjectType, depth: number): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  if (depth > 3) return value;
  for (const field of Object.values(type.getFields())) {
    if (isNonNullType(field.type)) value[field.name] = plausible(field.type, depth + 1);
  }
  return value;
}

/** A plausible value of a type, for the arguments not being fuzzed (null when optional). */
function plausible(type: GraphQLInputType, depth = 0): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [plausible(inner.ofType, depth + 1) ?? "1"];
  if (isEnumType(inner)) return inner.getValues()[0]?.value;
  if (isInputObjectType(inner)) return plausibleObject(inner, depth);
  switch (inner.name) {
    case "Int":
      return 1;
    case "Float":
      return 1;
    case "Boolean":
      return true;
    case "DateTime":
      return "2030-01-01T00:00:00Z";
    case "JSONObject":
      return {};
    default:
      return "1";
  }
}

/** Hostile values of a type, from the type itself: a new scalar, enum or input field is covered as it comes. */
function hostile(type: GraphQLInputType, depth = 0): unknown[] {
  const values: unknown[] = [null];
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const items = hostile(inner.ofType, depth + 1);
    values.push([], ...items.slice(0, LONG ? items.length : 4).map((item) => [item]));
    values.push(Array.from({ length: 2_000 }, (_, i) => String(i + 1)));
    return values;
  }
  if (isEnumType(inner)) return [...values, ...inner.getValues().map((v) => v.value), "NOPE", 1];
  if (isInputObjectType(inner)) {
    if (depth > 3) return values;
    const base = plausibleObject(inner, depth);
    values.push({}, { unknownField: 1 }, "not an object");
    for (const field of Object.values(inner.getFields())) {
      for (const value of hostile(field.type, depth + 1)) values.push({ ...base, [field.name]: value });
    }
    return values;
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case "Int":
        return [...values, ...HOSTILE_INTS];
      case "Float":
        return [...values, ...HOSTILE_FLOATS];
      case "Boolean":
        return [...values, true, false, "true", 0];
      case "DateTime":
        return [...values, ...HOSTILE_DATES, ...HOSTILE_STRINGS.slice(0, 6)];
      case "JSONObject":
        return [...values, {}, [], "x", { a: "\u0000" }, nest(200), { ["x".repeat(3_000)]: 1 }];
      default:
        return [...values, ...HOSTILE_STRINGS, 12345];
    }
  }
  return values;
}

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A selection of the field's type: its scalar fields without arguments, one level deep. */
function selectionOf(type: GraphQLNamedType): string {
  if (isLeafType(type)) return "";
  if (!isObjectType(type)) return "{ __typename }";
  const leaves = Object.values((type as GraphQLObjectType).getFields())
    .filter((field) => field.args.length === 0 && isLeafType(getNamedType(field.type)))
    .map((field) => field.name);
  return `{ __typename ${leaves.join(" ")} }`;
}

interface Case {
  label: string;
  query: string;
  variables: Record<string, unknown>;
  as: string;
  subscription: boolean;
}

function* casesFor(schema: GraphQLSchema): Generator<Case> {
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ] as const;
  let n = 0;
  for (const [kind, type] of roots) {
    if (!type) continue;
    // logOut last: it ends the session the other calls use.
    const fields = Object.values(type.getFields()).sort(
      (a, b) => Number(a.name === "logOut") - Number(b.name === "logOut"),
    );
    for (const field of fields) yield* fieldCases(kind, field, () => n++);
  }
}

function* fieldCases(
  kind: string,
  field: GraphQLField<unknown, unknown>,
  next: () => number,
): Generator<Case> {
  const declare = (args: readonly GraphQLArgument[]) =>
    args.length ? `(${args.map((arg) => `$${arg.name}: ${arg.type}`).join(", ")})` : "";
  const pass = (args: readonly GraphQLArgument[]) =>
    args.length ? `(${args.map((arg) => `${arg.name}: $${arg.name}`).join(", ")})` : "";
  const query = `${kind} ${declare(field.args)} { ${field.name}${pass(field.args)} ${selectionOf(getNamedType(field.type))} }`;
  const base = Object.fromEntries(field.args.map((arg) => [arg.name, plausible(arg.type)]));
  const identities = ["anonymous", "fan", "admin"];
  const variants: { label: string; variables: Record<string, unknown> }[] = [
    { label: "plausible", variables: base },
  ];
  for (const arg of field.args) {
    for (const value of hostile(arg.type)) {
      variants.push({ label: `${arg.name}=${short(value)}`, variables: { ...base, [arg.name]: value } });
    }
  }
  for (const [i, variant] of variants.entries()) {
    // CI: one identity per variant, in turn; long: every identity.
    const as = LONG ? identities : [identities[(i + next()) % identities.length] as string];
    for (const identity of as) {
      yield {
        label: `${kind} ${field.name} ${variant.label} as ${identity}`,
        query,
        variables: variant.variables,
        as: identity,
        subscription: kind === "subscription",
      };
    }
  }
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length})` : text;
}

interface Answer {
  status?: number;
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
  ms: number;
  raw: string;
}

async function overHttp(c: Case): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(api.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(cookies[c.as] ? { cookie: cookies[c.as] as string } : {}),
    },
    body: JSON.stringify({ query: c.query, variables: c.variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await response.text();
  const ms = performance.now() - started;
  let errors: Answer["errors"];
  try {
    errors = (JSON.parse(raw) as { errors?: Answer["errors"] }).errors;
  } catch {
    errors = [{ message: "not JSON" }];
  }
  return { status: response.status, errors, ms, raw };
}

function overWs(c: Case): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const token = cookies[c.as]?.slice("frontrow_session=".length);
    const client = createClient({
      url: api.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: token ? { token } : undefined,
      retryAttempts: 0,
      lazyCloseTimeout: 0,
    });
    const answer: Answer = { ms: 0, raw: "" };
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      answer.ms = performance.now() - started;
      void client.dispose();
      resolve(answer);
    };
    const quiet = c.subscription ? setTimeout(finish, SUBSCRIPTION_QUIET_MS) : undefined;
    client.subscribe(
      { query: c.query, variables: c.variables },
      {
        next: (value) => {
          answer.raw += JSON.stringify(value);
          answer.errors = [...(answer.errors ?? []), ...((value.errors as Answer["errors"]) ?? [])];
          if (c.subscription) {
            clearTimeout(quiet);
            finish();
          }
        },
        error: (error) => {
          clearTimeout(quiet);
          if (Array.isArray(error)) answer.errors = error as Answer["errors"];
          else {
            const code = (error as { code?: number }).code;
            // 4401/4403: a private subscription without the right session, by design; anything else is a fault.
            if (code !== 4401 && code !== 4403)
              answer.errors = [{ message: `socket closed ${code ?? String(error)}` }];
          }
          answer.raw += JSON.stringify(error);
          finish();
        },
        complete: () => {
          clearTimeout(quiet);
          finish();
        },
      },
    );
  });
}

const STACK = /\n\s+at |\bat .+\.(js|ts):\d+/;

function problemsOf(c: Case, transport: string, answer: Answer): string[] {
  const problems: string[] = [];
  const where = `${transport} ${c.label}`;
  if (answer.status !== undefined && answer.status >= 500) problems.push(`${where}: HTTP ${answer.status}`);
  const budget = c.subscription && transport === "ws" ? MAX_ANSWER_MS + SUBSCRIPTION_QUIET_MS : MAX_ANSWER_MS;
  if (answer.ms > budget) problems.push(`${where}: answered in ${answer.ms.toFixed(0)} ms`);
  if (STACK.test(answer.raw) || /stacktrace/.test(answer.raw)) problems.push(`${where}: a stack trace`);
  for (const error of answer.errors ?? []) {
    const code = error.extensions?.code;
    if (!code || code === "INTERNAL_SERVER_ERROR") {
      problems.push(`${where}: ${String(code ?? "no code")}: ${error.message?.slice(0, 120)}`);
    }
  }
  return problems;
}

test("hostile values for every argument of every root field: stable codes, no 5xx, answers within 2 s", {
  timeout: LONG ? 1_800_000 : 120_000,
}, async () => {
  const started = performance.now();
  const cases = [...casesFor(api.server.schema)];
  const problems: string[] = [];
  let index = 0;
  let runs = 0;
  const worker = async () => {
    for (let c = cases[index++]; c; c = cases[index++]) {
      // Subscriptions exist over WebSocket only.
      if (!c.subscription) {
        problems.push(...problemsOf(c, "http", await overHttp(c)));
        runs++;
      }
      problems.push(...problemsOf(c, "ws", await overWs(c)));
      runs++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await sleep(0);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz: ${runs} requests (${cases.length} cases) in ${seconds.toFixed(1)} s, ${problems.length} problems`,
  );
  assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);
});
