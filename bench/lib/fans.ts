import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { RunningApi } from "./api-process.js";
import { parseGraphQL, postGraphQL } from "./http.js";
import { type PgClient, transaction } from "./pg.js";

// The benchmarks' crowds: accounts made straight in the database (thousands in one statement), signed in
// either through the API's logIn (a session cookie as a browser gets it) or, for crowds too large to pay an
// Argon2 hash each, with sessions written where the API looks them up.

/** A bench account with its session cookie. */
export interface Fan {
  id: string;
  email: string;
  /** `frontrow_session=<token>`, the Cookie header value. */
  cookie: string;
}

export interface Crowd {
  /** Emails are `<tag>-<n>@<domain>`: a run's tag tells its accounts apart, the domain a scenario's. */
  tag: string;
  domain: string;
}

/** A LIKE pattern matching every account a scenario ever made under `domain` (any run, any tag). */
export const domainEmails = (domain: string) => `%@${domain}`;

/** The session cookie the API sets on logIn and signUp. */
function sessionCookie(response: { headers: { "set-cookie"?: string[] } }): string {
  const session = (response.headers["set-cookie"] ?? [])
    .map((cookie) => /^frontrow_session=([^;]+)/.exec(cookie)?.[1])
    .find(Boolean);
  if (!session) throw new Error("The API set no frontrow_session cookie");
  return `frontrow_session=${session}`;
}

/**
 * Signs one account up through the API and returns its stored password hash: the crowd of a scenario that
 * logs in shares it, so the API verifies the hash it made itself, at the cost it pays in production.
 */
async function passwordHashFor(
  api: RunningApi,
  db: PgClient,
  crowd: Crowd,
  password: string,
): Promise<string> {
  const email = `${crowd.tag}-template@${crowd.domain}`;
  parseGraphQL(
    await postGraphQL(api.graphqlUrl, {
      query:
        "mutation BenchSignUp($email: String!, $password: String!) { signUp(email: $email, password: $password) { id } }",
      variables: { email, password },
    }),
  );
  const { rows } = await db.query<{ hash: string }>(
    "SELECT password_hash AS hash FROM user_account WHERE email = $1",
    [email],
  );
  const hash = rows[0]?.hash;
  if (!hash) throw new Error(`signUp for ${email} stored no account`);
  return hash;
}

/**
 * Creates (or revives: unblocked, this password) `count` accounts of `crowd` in one statement; returns
 * them in order. `passwordHash` may be anything for a crowd that never logs in.
 */
export async function createFans(
  db: PgClient,
  crowd: Crowd,
  count: number,
  passwordHash: string,
): Promise<{ id: string; email: string }[]> {
  const { rows } = await db.query<{ id: string; email: string }>(
    `INSERT INTO user_account (id, email, password_hash, name)
     SELECT gen_random_uuid(), $3::text || '-' || lpad(i::text, 6, '0') || '@' || $4::text, $1::text, 'Bench fan ' || i
     FROM generate_series(1, $2::int) AS i
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, blocked_at = NULL
     RETURNING id, email`,
    [passwordHash, count, crowd.tag, crowd.domain],
  );
  return rows.sort((a, b) => a.email.localeCompare(b.email));
}

const LOGIN_CONCURRENCY = 8;
const LOG_IN = `mutation BenchLogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { id }
}`;

/** Logs one account in through the API's logIn: its session cookie (`frontrow_session=<token>`). */
export async function logIn(api: RunningApi, email: string, password: string): Promise<string> {
  const response = await postGraphQL(api.graphqlUrl, { query: LOG_IN, variables: { email, password } });
  parseGraphQL(response);
  return sessionCookie(response);
}

/** Logs every account in through the API's logIn, a few at a time, as browsers would. */
async function logInAll(
  api: RunningApi,
  accounts: readonly { id: string; email: string }[],
  password: string,
): Promise<Fan[]> {
  const fans: Fan[] = new Array(accounts.length);
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const index = next++;
      const account = accounts[index] as { id: string; email: string };
      fans[index] = { ...account, cookie: await logIn(api, account.email, password) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOGIN_CONCURRENCY, accounts.length) }, worker));
  return fans;
}

const SESSION_BATCH = 5_000;

/**
 * Signs accounts in without logIn (an Argon2 verification each): a session row per account, as the API
 * writes it (the SHA-256 of a random 32-byte token, base64url). The API reads a session it does not find
 * in Redis from Postgres and caches it there, so each fan's first request costs one extra lookup.
 */
export async function openSessions(
  db: PgClient,
  accounts: readonly { id: string; email: string }[],
): Promise<Fan[]> {
  const fans = accounts.map((account) => ({ ...account, token: randomBytes(32).toString("base64url") }));
  for (let start = 0; start < fans.length; start += SESSION_BATCH) {
    const batch = fans.slice(start, start + SESSION_BATCH);
    await db.query(
      `INSERT INTO session (token_hash, user_id, created_at, expires_at)
       SELECT token_hash, user_id, now(), now() + interval '1 day'
       FROM unnest($1::text[], $2::uuid[]) AS s(token_hash, user_id)`,
      [
        batch.map((fan) => createHash("sha256").update(fan.token).digest("base64url")),
        batch.map((fan) => fan.id),
      ],
    );
  }
  return fans.map(({ token, ...account }) => ({ ...account, cookie: `frontrow_session=${token}` }));
}

/**
 * Deletes the accounts whose email is LIKE `emails`, with everything they held, bought or set off; frees
 * their seats. One transaction: an interrupted run leaves all of it or none.
 */
export async function deleteFans(db: PgClient, emails: string): Promise<void> {
  const users = "SELECT id FROM user_account WHERE email LIKE $1";
  const orders = `SELECT id FROM "order" WHERE user_id IN (${users})`;
  const statements = [
    `UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, order_id = NULL
     WHERE order_id IN (${orders})`,
    `UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL
     WHERE hold_id IN (SELECT id FROM hold WHERE user_id IN (${users}))`,
    `DELETE FROM ticket WHERE order_id IN (${orders})`,
    `DELETE FROM payment WHERE order_id IN (${orders})`,
    `DELETE FROM fake_gateway_charge WHERE reference IN (SELECT id::text FROM (${orders}) o)`,
    `DELETE FROM outbox_event WHERE (payload->>'orderId')::uuid IN (${orders})`,
    `DELETE FROM mail_message WHERE user_id IN (${users})`,
    `DELETE FROM "order" WHERE user_id IN (${users})`,
    `DELETE FROM hold WHERE user_id IN (${users})`,
    `DELETE FROM bot_signal WHERE user_id IN (${users})`,
    // Their places in waiting rooms (no foreign key to the account): a live admission left behind counts
    // against the room's shoppers when a later run sets the room up again from Postgres.
    `DELETE FROM queue_admission WHERE user_id IN (${users})`,
    `DELETE FROM queue_entry WHERE user_id IN (${users})`,
    `DELETE FROM session WHERE user_id IN (${users})`,
    `DELETE FROM user_account WHERE id IN (${users})`,
  ];
  await transaction(db, async () => {
    for (const statement of statements) await db.query(statement, [emails]);
  });
}

/** `count` accounts of `crowd` sharing one password (its hash made by signUp), each logged in through logIn. */
export async function signedInCrowd(
  api: RunningApi,
  db: PgClient,
  crowd: Crowd,
  count: number,
  password: string,
): Promise<Fan[]> {
  const started = performance.now();
  process.stdout.write(
    `Creating ${count.toLocaleString("en-US")} fan accounts, logging them in through logIn… `,
  );
  const accounts = await createFans(db, crowd, count, await passwordHashFor(api, db, crowd, password));
  const fans = await logInAll(api, accounts, password);
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  return fans;
}
