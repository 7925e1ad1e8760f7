import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { startMaildev, type TestMaildev } from "./support/maildev.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// Accounts against real Postgres, Redis and maildev: reset links (once, expiring, ending old sessions),
// email verification, changes, sign-out everywhere, and a failed-login lock that cannot lock the owner out.

let database: TestDatabase;
let maildev: TestMaildev;
let api: TestServer;

before(async () => {
  [database, maildev] = await Promise.all([createTestDatabase({ seeded: true }), startMaildev()]);
  api = await startTestServer(database.url, {
    SMTP_URL: maildev.smtpUrl,
    OUTBOX_RELAY_INTERVAL_MS: "100",
    JOBS_POLL_INTERVAL_MS: "100",
    TRUST_PROXY: "true",
    LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: "1000",
    LOGIN_FAILURES_PER_ACCOUNT: "3",
  });
});

after(async () => {
  await api.close();
  await Promise.all([database.dispose(), maildev.dispose()]);
});

const PASSWORD = "a perfectly fine passphrase";
const USER = "id email emailVerifiedAt locale";

const from = (ip: string, cookie?: string) => ({ "x-forwarded-for": ip, ...(cookie ? { cookie } : {}) });
const code = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions?.code;
const cookieOf = (result: GraphQLResult<unknown>) => {
  const cookie = result.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, "a session cookie is set");
  return cookie.split(";")[0] as string;
};

async function signUp(email: string, ip = "10.1.0.1") {
  const result = await gql<{ signUp: { id: string } }>(
    api.url,
    `mutation ($email: String!, $password: String!) { signUp(email: $email, password: $password) { ${USER} } }`,
    { email, password: PASSWORD },
    from(ip),
  );
  assert.equal(result.errors, undefined);
  return cookieOf(result);
}

const logIn = (email: string, password: string, ip: string) =>
  gql(
    api.url,
    `mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }`,
    { e: email, p: password },
    from(ip),
  );
const me = async (cookie: string) =>
  (await gql<{ me: { email: string } | null }>(api.url, "{ me { email } }", {}, { cookie })).data?.me ?? null;
const requestReset = (email: string, ip = "10.1.0.9") =>
  gql<{ requestPasswordReset: boolean }>(
    api.url,
    "mutation ($e: String!) { requestPasswordReset(email: $e) }",
    { e: email },
    from(ip),
  );
const resetPassword = (token: string, password: string, ip = "10.1.0.9") =>
  gql<{ resetPassword: { email: string } }>(
    api.url,
    `mutation ($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { ${USER} } }`,
    { t: token, p: password },
    from(ip),
  );

/** The token of the newest link of this kind mailed to `email`. */
async function linkToken(email: string, path: string, count = 1): Promise<string> {
  const mails = await maildev.waitForMail(email, (mail) => mail.text.includes(path), count);
  const token = new RegExp(`${path}\\?token=([^\\s"&]+)`).exec(mails.at(-1)?.text ?? "")?.[1];
  assert.ok(token, `a ${path} link`);
  return decodeURIComponent(token);
}

test("sign-up mails a welcome with a verification link that verifies the address", async () => {
  const email = "verify.me@accounts.test";
  const cookie = await signUp(email);
  const token = await linkToken(email, "/verify-email");
  const [welcome] = await maildev.messages(email);
  assert.match(welcome?.subject ?? "", /Welcome to Frontrow/);
  assert.match(welcome?.html ?? "", /<html lang="en">/);
  const verified = await gql<{ verifyEmail: { emailVerifiedAt: string | null } }>(
    api.url,
    `mutation ($t: String!) { verifyEmail(token: $t) { ${USER} } }`,
    { t: token },
  );
  assert.ok(verified.data?.verifyEmail.emailVerifiedAt);
  const forged = await gql(api.url, "mutation ($t: String!) { verifyEmail(token: $t) { id } }", {
    t: `${token}x`,
  });
  assert.equal(code(forged), "INVALID_TOKEN");
  assert.equal(forged.errors?.[0]?.extensions?.field, "token");
  assert.equal((await me(cookie))?.email, email);
});

test("a reset link works once, ends every old session and signs the browser in; unknown emails get the same answer", async () => {
  const email = "forgetful@accounts.test";
  const oldSession = await signUp(email);
  const unknown = await requestReset("nobody@accounts.test");
  const known = await requestReset(email);
  assert.deepEqual(unknown.data, known.data);
  assert.equal(known.data?.requestPasswordReset, true);
  const token = await linkToken(email, "/reset-password");
  const [mail] = (await maildev.messages(email)).filter((m) => m.text.includes("/reset-password"));
  assert.match(mail?.text ?? "", /works once, for 30 minutes/);
  const stored = await database.db.passwordReset.findFirstOrThrow({ where: { user: { email } } });
  assert.notEqual(stored.tokenHash, token, "only a hash is stored");

  const weak = await resetPassword(token, "short");
  assert.equal(code(weak), "BAD_USER_INPUT");
  assert.equal(weak.errors?.[0]?.extensions?.field, "password");
  const reset = await resetPassword(token, "a brand new passphrase");
  assert.equal(reset.errors, undefined);
  assert.equal(await me(oldSession), null, "the old session ended");
  assert.equal((await me(cookieOf(reset)))?.email, email, "the browser that reset is signed in");
  assert.equal(code(await logIn(email, PASSWORD, "10.1.0.2")), "UNAUTHENTICATED", "old password is gone");
  assert.equal(code(await logIn(email, "a brand new passphrase", "10.1.0.2")), undefined);

  const again = await resetPassword(token, "yet another passphrase");
  assert.equal(code(again), "INVALID_TOKEN");
  assert.equal(again.errors?.[0]?.extensions?.reason, "USED");
  await maildev.waitForMail(email, (m) => m.subject.includes("password was changed"));
});

test("a reset link expires", async () => {
  const email = "slow.reader@accounts.test";
  await signUp(email);
  await requestReset(email);
  const token = await linkToken(email, "/reset-password");
  await database.db.passwordReset.updateMany({
    where: { user: { email } },
    data: { expiresAt: new Date(Date.now() - 1_000) },
  });
  const late = await resetPassword(token, "a brand new passphrase");
  assert.equal(code(late), "INVALID_TOKEN");
  assert.equal(late.errors?.[0]?.extensions?.reason, "EXPIRED");
});

test("failed logins lock the attacker's network, not the owner; a reset clears the account", async () => {
  const email = "targeted@accounts.test";
  await signUp(email);
  for (let i = 0; i < 3; i++)
    assert.equal(code(await logIn(email, "wrong guess 123", "10.66.0.1")), "UNAUTHENTICATED");
  assert.equal(
    code(await logIn(email, PASSWORD, "10.66.0.1")),
    "RATE_LIMITED",
    "the attacker's network is locked",
  );
  assert.equal(code(await logIn(email, PASSWORD, "10.2.0.7")), undefined, "the owner, elsewhere, gets in");
  // Even from the locked network, the emailed link always works.
  await requestReset(email, "10.66.0.1");
  const token = await linkToken(email, "/reset-password");
  assert.equal(code(await resetPassword(token, "the owner's new passphrase", "10.66.0.1")), undefined);
  assert.equal(code(await logIn(email, "the owner's new passphrase", "10.66.0.1")), undefined, "cleared");
});

test("change password and email need the current password; sign-out everywhere ends every session", async () => {
  const email = "mover@accounts.test";
  const first = await signUp(email);
  const secondLogin = await logIn(email, PASSWORD, "10.3.0.1");
  const second = cookieOf(secondLogin);
  const changePassword = (cookie: string, current: string, next: string) =>
    gql(
      api.url,
      `mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { id } }`,
      { c: current, n: next },
      from("10.3.0.2", cookie),
    );
  const wrong = await changePassword(first, "not my password", "another fine passphrase");
  assert.equal(code(wrong), "BAD_USER_INPUT");
  assert.equal(wrong.errors?.[0]?.extensions?.field, "currentPassword");
  const changed = await changePassword(first, PASSWORD, "another fine passphrase");
  assert.equal(changed.errors, undefined);
  assert.equal(await me(second), null, "other sessions end");
  const renewed = cookieOf(changed);

  const newEmail = "moved@accounts.test";
  const moved = await gql<{ changeEmail: { email: string; emailVerifiedAt: string | null } }>(
    api.url,
    `mutation ($e: String!, $c: String!) { changeEmail(newEmail: $e, currentPassword: $c) { ${USER} } }`,
    { e: newEmail, c: "another fine passphrase" },
    from("10.3.0.2", renewed),
  );
  assert.equal(moved.data?.changeEmail.email, newEmail);
  assert.equal(moved.data?.changeEmail.emailVerifiedAt, null);
  await linkToken(newEmail, "/verify-email");
  await maildev.waitForMail(email, (m) => m.subject.includes("email of your Frontrow account was changed"));

  const ended = await gql<{ signOutEverywhere: number }>(
    api.url,
    "mutation { signOutEverywhere }",
    {},
    { cookie: renewed },
  );
  assert.equal(ended.data?.signOutEverywhere, 1);
  assert.equal(await me(renewed), null);
});

test("an admin makes an account an organizer: its open session may create venues at once; only admins, never their own role", async () => {
  const email = "new.organizer@example.com";
  const cookie = await signUp(email, "10.1.0.40");
  const createVenue = () =>
    gql<{ createVenue: { id: string } }>(
      api.url,
      `mutation { createVenue(input: { name: "Garage", city: "Porto", address: "Rua 1", timezone: "Europe/Lisbon" }) { id } }`,
      {},
      from("10.1.0.40", cookie),
    );
  assert.equal(code(await createVenue()), "FORBIDDEN", "a fan creates no venue");
  // The session is cached (Redis and this instance): the role change must reach it anyway.
  assert.equal((await me(cookie))?.email, email);

  const admin = cookieOf(await logIn("admin@frontrow.test", "admin-password", "10.1.0.41"));
  const setRole = (who: string, role: string, as: string) =>
    gql<{ setAccountRole: { email: string; role: string } }>(
      api.url,
      "mutation ($email: String!, $role: Role!) { setAccountRole(email: $email, role: $role) { email role } }",
      { email: who, role },
      from("10.1.0.41", as),
    );
  assert.equal(code(await setRole(email, "ORGANIZER", cookie)), "FORBIDDEN", "a fan promotes nobody");
  const promoted = await setRole(` ${email.toUpperCase()} `, "ORGANIZER", admin);
  assert.deepEqual(promoted.data?.setAccountRole, { email, role: "ORGANIZER" });
  const venue = await createVenue();
  assert.equal(venue.errors, undefined, "the same session, without signing in again");
  assert.ok(venue.data?.createVenue.id);

  assert.equal(code(await setRole("nobody@example.com", "ORGANIZER", admin)), "NOT_FOUND");
  assert.equal(code(await setRole("not an address", "ORGANIZER", admin)), "BAD_USER_INPUT");
  assert.equal(code(await setRole("admin@frontrow.test", "FAN", admin)), "FORBIDDEN", "not your own role");
  await setRole(email, "FAN", admin);
  assert.equal(code(await createVenue()), "FORBIDDEN", "demoted at once too");
});
