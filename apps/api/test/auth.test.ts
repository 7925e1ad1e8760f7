import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";

let database: TestDatabase;
let api: TestServer;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: "1000",
    LOGIN_FAILURES_PER_ACCOUNT: "3",
  });
});

after(async () => {
  await api.close();
  await database.dispose();
});

const LOG_IN = `mutation ($email: String!, $password: String!) { logIn(email: $email, password: $password) { id email role } }`;
const SIGN_UP = `mutation ($email: String!, $password: String!, $name: String) {
  signUp(email: $email, password: $password, name: $name) { id email name role } }`;
const ME = "{ me { id email role } }";

function sessionCookie(headers: Headers): string {
  const cookie = headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, "a session cookie is set");
  return cookie.split(";")[0] as string;
}

describe("sign up and log in", () => {
  test("sign up creates a fan, signs them in with a secure-by-default cookie", async () => {
    const result = await gql<{ signUp: { id: string; email: string; role: string } }>(api.url, SIGN_UP, {
      email: "  New.Fan@Example.COM ",
      password: "a perfectly fine passphrase",
      name: "New Fan",
    });
    assert.equal(result.errors, undefined);
    assert.equal(result.data?.signUp.email, "new.fan@example.com");
    assert.equal(result.data?.signUp.role, "FAN");
    const setCookie = result.headers.getSetCookie().join("\n");
    assert.match(setCookie, /frontrow_session=[A-Za-z0-9_-]{43}/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    const me = await gql<{ me: { email: string } }>(
      api.url,
      ME,
      {},
      { cookie: sessionCookie(result.headers) },
    );
    assert.equal(me.data?.me.email, "new.fan@example.com");
    const stored = await database.db.user.findUniqueOrThrow({ where: { email: "new.fan@example.com" } });
    assert.match(stored.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test("bad sign-ups get BAD_USER_INPUT naming the field", async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ email: "not-an-email", password: "a perfectly fine passphrase" }, "email", /valid email/],
      [{ email: "short@example.com", password: "short" }, "password", /at least 10/],
      [{ email: "repeat@example.com", password: "aaaaaaaaaaaa" }, "password", /repetitive/],
    ];
    for (const [variables, field, message] of cases) {
      const result = await gql(api.url, SIGN_UP, variables);
      assert.equal(result.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(variables));
      assert.equal(result.errors?.[0]?.extensions?.field, field);
      assert.match(result.errors?.[0]?.message ?? "", message);
    }
  });

  test("signing up with an email that has an account says EMAIL_TAKEN, before any password rule", async () => {
    // The password rules would refuse "short" and the email inside the password: the existing account comes first.
    for (const password of ["a perfectly fine passphrase", "short", "FAN@frontrow.test-1234"]) {
      const result = await gql(api.url, SIGN_UP, { email: " FAN@frontrow.test ", password });
      assert.equal(result.errors?.[0]?.extensions?.code, "EMAIL_TAKEN", password);
      assert.equal(result.errors?.[0]?.extensions?.field, "email");
      assert.equal(result.errors?.[0]?.message, "An account with this email already exists");
      assert.deepEqual(result.headers.getSetCookie(), []);
    }
  });

  test("log in issues a new session each time; wrong password and unknown email look the same", async () => {
    const first = await gql(api.url, LOG_IN, { email: "fan2@frontrow.test", password: "fan-password-2" });
    const second = await gql(api.url, LOG_IN, { email: "FAN2@frontrow.test", password: "fan-password-2" });
    assert.equal(first.errors, undefined);
    assert.notEqual(sessionCookie(first.headers), sessionCookie(second.headers));
    const wrong = await gql(api.url, LOG_IN, { email: "fan2@frontrow.test", password: "not-the-password" });
    const unknown = await gql(api.url, LOG_IN, {
      email: "nobody@frontrow.test",
      password: "not-the-password",
    });
    for (const result of [wrong, unknown]) {
      assert.equal(result.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
      assert.equal(result.errors?.[0]?.message, "Email or password is incorrect");
      assert.deepEqual(result.headers.getSetCookie(), []);
    }
  });

  test("logging in again replaces the session the browser had", async () => {
    const first = await gql(api.url, LOG_IN, { email: "fan@frontrow.test", password: "fan-password-1" });
    const oldCookie = sessionCookie(first.headers);
    const again = await gql(
      api.url,
      LOG_IN,
      { email: "fan@frontrow.test", password: "fan-password-1" },
      { cookie: oldCookie },
    );
    assert.notEqual(sessionCookie(again.headers), oldCookie);
    assert.equal((await gql<{ me: null }>(api.url, ME, {}, { cookie: oldCookie })).data?.me, null);
  });

  test("log out ends the session and clears the cookie; it needs a session", async () => {
    const login = await gql(api.url, LOG_IN, { email: "fan@frontrow.test", password: "fan-password-1" });
    const cookie = sessionCookie(login.headers);
    // Looked up first, so this instance has the viewer in its session cache: logging out must forget it.
    const before = await gql<{ me: { email: string } }>(api.url, ME, {}, { cookie });
    assert.equal(before.data?.me.email, "fan@frontrow.test");
    const out = await gql<{ logOut: boolean }>(api.url, "mutation { logOut }", {}, { cookie });
    assert.equal(out.data?.logOut, true);
    assert.match(out.headers.getSetCookie().join(), /frontrow_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await gql<{ me: null }>(api.url, ME, {}, { cookie })).data?.me, null);
    const anonymous = await gql(api.url, "mutation { logOut }");
    assert.equal(anonymous.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    const forged = await gql<{ me: null }>(api.url, ME, {}, { cookie: "frontrow_session=forged" });
    assert.equal(forged.data?.me, null);
  });

  test("repeated failures lock the account for a while with RATE_LIMITED and a retry-after", async () => {
    const attempt = (password: string) =>
      gql(api.url, LOG_IN, { email: "organizer@frontrow.test", password });
    for (let i = 0; i < 3; i++) {
      assert.equal((await attempt("wrong-password")).errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    }
    const limited = await attempt("organizer-password");
    assert.equal(limited.errors?.[0]?.extensions?.code, "RATE_LIMITED", "even the right password waits");
    assert.ok(Number(limited.errors?.[0]?.extensions?.retryAfterSeconds) > 0);
  });

  test("attempts per IP are limited across accounts", async () => {
    const strict = await startTestServer(database.url, { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: "3" });
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        const result = await gql(strict.url, LOG_IN, {
          email: `someone${i}@frontrow.test`,
          password: "whatever-pass",
        });
        codes.push(result.errors?.[0]?.extensions?.code);
      }
      assert.deepEqual(codes, [
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "RATE_LIMITED",
        "RATE_LIMITED",
      ]);
    } finally {
      await strict.close();
    }
  });
});

describe("sessions", () => {
  test("a session survives Redis being unreachable (Postgres keeps the durable copy)", async () => {
    const login = await gql(api.url, LOG_IN, { email: "fan2@frontrow.test", password: "fan-password-2" });
    const cookie = sessionCookie(login.headers);
    const noRedis = await startTestServer(database.url, { REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const me = await gql<{ me: { email: string } }>(noRedis.url, ME, {}, { cookie });
      assert.equal(me.data?.me.email, "fan2@frontrow.test");
    } finally {
      await noRedis.close();
    }
  });

  test("a logout on another instance ends the session here within SESSION_LOCAL_CACHE_MS", async () => {
    const { REDIS_KEY_PREFIX, SESSION_LOCAL_CACHE_MS } = api.server.config;
    const other = await startTestServer(database.url, { REDIS_KEY_PREFIX });
    try {
      const login = await gql(api.url, LOG_IN, { email: "fan2@frontrow.test", password: "fan-password-2" });
      const cookie = sessionCookie(login.headers);
      const me = () => gql<{ me: { email: string } | null }>(api.url, ME, {}, { cookie });
      assert.equal((await me()).data?.me?.email, "fan2@frontrow.test");
      const out = await gql<{ logOut: boolean }>(other.url, "mutation { logOut }", {}, { cookie });
      assert.equal(out.data?.logOut, true);
      // Until then this instance may still answer from its cache (the documented bound); after, never.
      await new Promise((resolve) => setTimeout(resolve, SESSION_LOCAL_CACHE_MS + 50));
      assert.equal((await me()).data?.me, null);
    } finally {
      await other.close();
    }
  });

  test("a WebSocket authenticates with the session cookie or connectionParams.token", async () => {
    const login = await gql(api.url, LOG_IN, { email: "fan@frontrow.test", password: "fan-password-1" });
    const cookie = sessionCookie(login.headers);
    const token = cookie.split("=")[1] as string;
    const meOverSocket = (options: { cookie?: string; token?: string }) =>
      new Promise<unknown>((resolve, reject) => {
        const client = createClient({
          url: api.url.replace(/^http/, "ws"),
          connectionParams: options.token ? { token: options.token } : undefined,
          webSocketImpl: class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, options.cookie ? { headers: { cookie: options.cookie } } : {});
            }
          },
          retryAttempts: 0,
        });
        client.subscribe(
          { query: ME },
          {
            next: (value) => {
              void client.dispose();
              resolve(value.data);
            },
            error: reject,
            complete: () => reject(new Error("the operation completed without a result")),
          },
        );
      });
    assert.deepEqual(await meOverSocket({ cookie }), {
      me: {
        id: login.data ? (login.data as { logIn: { id: string } }).logIn.id : "",
        email: "fan@frontrow.test",
        role: "FAN",
      },
    });
    assert.equal(
      ((await meOverSocket({ token })) as { me: { email: string } }).me.email,
      "fan@frontrow.test",
    );
    assert.deepEqual(await meOverSocket({}), { me: null });
  });
});
