// End-to-end checkout in Chromium against the built API and web app: a fan holds seats, pays with the test
// Visa card, sees the order with rotating QR tickets and cancels it; and a hold that runs out cannot be paid,
// whether the page's countdown or the API notices first.
// Needs `pnpm build` at the root first, Postgres and Redis running, psql and /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { test } from "node:test";
import {
  findOnSaleEvents,
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  psql,
  resultsDir,
  startE2eStack,
} from "./support/stack.mjs";

// Short enough to watch run out, long enough to load the checkout page before it does on a loaded machine.
const SHORT_HOLD_SECONDS = 15;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

// One fan buys a page and a half of orders within a minute: more than the checkout rate limit allows.
const stack = startE2eStack({
  apiEnv: {
    RATE_LIMITS: JSON.stringify({ "Mutation.checkout": { account: { points: 1000, seconds: 60 } } }),
  },
});

/** A signed-in fan in a browser context of their own; `run` gets the page, and failures leave a screenshot. */
async function asFan(name, email, password, startPath, run) {
  mkdirSync(resultsDir, { recursive: true });
  const failureShot = `${resultsDir}checkout-${name}-failure.png`;
  rmSync(failureShot, { force: true });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  try {
    await logInThroughUi(page, stack.webUrl, email, password, startPath);
    await run(page);
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    await page.screenshot({ path: failureShot, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await context.close().catch(() => {});
  }
}

/** Holds the best `quantity` seats from the event page and opens the hold's checkout; returns the hold id. */
async function holdAndOpenCheckout(page, quantity) {
  const form = page.getByRole("form", { name: "Best available" });
  await form.getByLabel("Seats").selectOption(String(quantity));
  await form.getByRole("button", { name: "Find and hold seats" }).click();
  const holdCard = page.locator("[data-hold-id]");
  await holdCard.waitFor({ timeout: 15_000 });
  await holdCard.getByRole("link", { name: "Checkout" }).click();
  await page.waitForURL(new RegExp(`/checkout/${UUID}$`), { timeout: 15_000 });
  await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
  await page.locator("[data-checkout-seats] li").first().waitFor({ timeout: 15_000 });
  return new URL(page.url()).pathname.split("/").at(-1);
}

/** Current QR code text of each ticket on the order page, in order. */
function ticketCodes(page) {
  return page
    .locator("[data-ticket-status=VALID] svg[data-ticket-qr]")
    .evaluateAll((codes) => codes.map((code) => code.dataset.ticketQr));
}

test("a fan holds two seats, pays with the test Visa card, gets rotating QR tickets, then cancels", {
  timeout: 240_000,
}, async () => {
  const [event] = await findOnSaleEvents(stack.apiUrl);
  assert.ok(event, "the seeded database has no on-sale event without a waiting room");
  const eventPath = `/events/${event.id}`;

  await asFan("paid", "fan@frontrow.test", "fan-password-1", eventPath, async (page) => {
    await holdAndOpenCheckout(page, 2);
    assert.equal(await page.locator("[data-checkout-seats] li").count(), 2);
    assert.match(await page.getByRole("timer").textContent(), /^(10:00|9:[0-5]\d)$/);
    const total = await page.locator("[data-checkout-total]").textContent();
    assert.match(total ?? "", /\d/);
    await page.getByLabel(/Visa — succeeds/).check();
    await page.screenshot({ path: `${resultsDir}checkout-ready.png` });

    await page.getByRole("button", { name: `Pay ${total}` }).click();
    await page.waitForURL(new RegExp(`/orders/${UUID}$`), { timeout: 20_000 });
    const orderPath = new URL(page.url()).pathname;
    const orderPage = page.locator("[data-order-status=CONFIRMED]");
    await orderPage.waitFor({ timeout: 15_000 });
    assert.equal(
      await orderPage.locator("[data-order-total]").textContent(),
      total,
      "charged the checkout total",
    );
    await page.locator("[data-ticket-status=VALID] svg[data-ticket-qr]").nth(1).waitFor();
    const firstCodes = await ticketCodes(page);
    assert.equal(firstCodes.length, 2, "one QR ticket per seat");
    assert.notEqual(firstCodes[0], firstCodes[1], "each ticket has its own code");
    for (const qr of await page.locator("svg[data-ticket-qr] path").all()) {
      assert.ok(((await qr.getAttribute("d")) ?? "").length > 500, "the QR code is drawn");
    }
    // "Getting a new code…" when the check lands on a rotation.
    assert.match(
      (await page.locator("[data-refreshes-in]").first().textContent()) ?? "",
      /^(New code in \d+ s|Getting a new code…)$/,
    );
    await page.screenshot({ path: `${resultsDir}order-tickets.png` });

    // The codes rotate: the page fetches new ones when they expire, without a reload.
    await page.waitForFunction(
      (before) =>
        document.querySelector("[data-ticket-status=VALID] svg[data-ticket-qr]")?.dataset.ticketQr !== before,
      firstCodes[0],
      { timeout: 45_000, polling: 500 },
    );

    // The order heads the fan's orders list.
    await page.getByRole("link", { name: "My orders", exact: true }).first().click();
    await page.waitForURL(`${stack.webUrl}/orders`);
    const firstRow = page.locator("[data-orders] li").first();
    await firstRow.waitFor({ timeout: 15_000 });
    assert.match((await firstRow.textContent()) ?? "", new RegExp(event.name));
    assert.match((await firstRow.textContent()) ?? "", /Confirmed/);
    await firstRow.getByRole("link", { name: event.name }).click();
    await page.waitForURL(`${stack.webUrl}${orderPath}`);

    // Cancelling asks first, then voids every ticket.
    await page.getByRole("button", { name: "Cancel order" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this order?" });
    await dialog.waitFor();
    await page.screenshot({ path: `${resultsDir}order-cancel-dialog.png` });
    await dialog.getByRole("button", { name: "Yes, cancel order" }).click();
    await page.locator("[data-order-status=CANCELLED]").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("[data-ticket-status=VOID]").count(), 2, "both tickets are void");
    assert.equal(await page.locator("svg[data-ticket-qr]").count(), 0, "void tickets show no code");
    assert.equal(await page.getByRole("button", { name: "Cancel order" }).count(), 0);
    assert.match(
      await page.evaluate(() => document.activeElement?.textContent ?? ""),
      /^Cancelled.*refunded/,
      "focus moves to what happened",
    );
    await page.screenshot({ path: `${resultsDir}order-cancelled.png` });
  });
});

test("a hold that runs out cannot be paid: the countdown says so, and so does the API when it knows first", {
  timeout: 240_000,
}, async () => {
  const [usualEvent, shortHoldEvent] = await findOnSaleEvents(stack.apiUrl);
  assert.ok(shortHoldEvent, "the seeded database needs two on-sale events without a waiting room");
  psql(
    stack.databaseUrl,
    `UPDATE event SET hold_seconds = ${SHORT_HOLD_SECONDS} WHERE id = ${Number(shortHoldEvent.id)}`,
  );

  await asFan(
    "expired",
    "fan2@frontrow.test",
    "fan-password-2",
    `/events/${shortHoldEvent.id}`,
    async (page) => {
      // The page's countdown runs out: paying is off, and the fan is sent back to pick again.
      await holdAndOpenCheckout(page, 1);
      const pay = page.getByRole("button", { name: /^Pay / });
      assert.equal(await pay.isEnabled(), true);
      const ended = page.locator("[data-checkout-ended]");
      await ended.waitFor({ timeout: (SHORT_HOLD_SECONDS + 10) * 1000 });
      assert.match((await ended.textContent()) ?? "", /Your hold ran out.*released for other fans/);
      assert.equal(await page.getByRole("timer").textContent(), "0:00");
      assert.equal(await pay.isDisabled(), true, "the Pay button is disabled once the hold ran out");
      assert.equal(
        await ended.getByRole("link", { name: "Pick seats again" }).getAttribute("href"),
        `/events/${shortHoldEvent.id}`,
      );
      await page.screenshot({ path: `${resultsDir}checkout-expired.png` });

      // The API's clock decides: a hold that ended there while the page still counts down is refused.
      await page.goto(`${stack.webUrl}/events/${usualEvent.id}`);
      const holdId = await holdAndOpenCheckout(page, 1);
      psql(
        stack.databaseUrl,
        `UPDATE hold SET expires_at = now() - interval '1 second' WHERE id = '${holdId}';
       UPDATE event_seat SET held_until = now() - interval '1 second' WHERE hold_id = '${holdId}'`,
      );
      assert.match(await page.getByRole("timer").textContent(), /^(10:00|9:[0-5]\d)$/);
      await page.getByLabel(/Visa — succeeds/).check();
      await page.getByRole("button", { name: /^Pay / }).click();
      await ended.waitFor({ timeout: 15_000 });
      assert.match((await ended.textContent()) ?? "", /Your hold ran out.*Nothing was charged/);
      assert.equal(await page.getByRole("timer").textContent(), "0:00", "the countdown agrees with the API");
      assert.equal(await page.getByRole("button", { name: /^Pay / }).isDisabled(), true);
      assert.equal(page.url(), `${stack.webUrl}/checkout/${holdId}`, "no order page");
      await page.screenshot({ path: `${resultsDir}checkout-refused.png` });
    },
  );
});

test("a declined card gets a new idempotency key; a lost answer is retried with the same one: one order", {
  timeout: 240_000,
}, async () => {
  const [event] = await findOnSaleEvents(stack.apiUrl);
  await asFan("retried", "fan2@frontrow.test", "fan-password-2", `/events/${event.id}`, async (page) => {
    const countOrders = () =>
      page.evaluate(async (apiUrl) => {
        const response = await fetch(apiUrl, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ myOrders(first: 1) { totalCount } }" }),
        });
        return (await response.json()).data.myOrders.totalCount;
      }, stack.apiUrl);
    const ordersBefore = await countOrders();

    // Every checkout request is recorded; the first Visa attempt reaches the API but its answer is lost.
    const attempts = [];
    await page.route(stack.apiUrl, async (route) => {
      const body = route.request().postDataJSON();
      if (body?.operationName !== "Checkout") return route.continue();
      attempts.push(body.variables);
      const visaAttempts = attempts.filter((attempt) => attempt.paymentToken === "tok_visa").length;
      if (body.variables.paymentToken !== "tok_visa" || visaAttempts > 1) return route.continue();
      await route.fetch();
      await route.abort("connectionreset");
    });

    await holdAndOpenCheckout(page, 1);
    await page.getByLabel(/Declined card/).check();
    await page.getByRole("button", { name: /^Pay / }).dblclick();
    const problem = page.locator("[data-checkout-problem]");
    await problem.waitFor({ timeout: 15_000 });
    assert.equal(await problem.getAttribute("data-checkout-problem"), "refused");
    assert.match((await problem.textContent()) ?? "", /card was declined.*declined/);

    await page.getByLabel(/Visa — succeeds/).check();
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.locator("[data-checkout-problem=unconfirmed]").waitFor({ timeout: 15_000 });
    assert.match((await problem.textContent()) ?? "", /never be charged twice/);
    assert.equal(await page.getByLabel(/Declined card/).isDisabled(), true, "the retry keeps the card");
    await page.screenshot({ path: `${resultsDir}checkout-unconfirmed.png` });

    await page.getByRole("button", { name: "Try again" }).click();
    await page.waitForURL(new RegExp(`/orders/${UUID}$`), { timeout: 20_000 });
    await page.locator("[data-order-status=CONFIRMED]").waitFor({ timeout: 15_000 });

    const [declined, lost, retried, ...more] = attempts;
    assert.deepEqual(more, [], `a double click sent one request (${attempts.length} attempts)`);
    assert.equal(declined.paymentToken, "tok_declined");
    assert.notEqual(lost.idempotencyKey, declined.idempotencyKey, "a new key after a decline");
    assert.deepEqual(retried, lost, "the retry repeats the lost attempt exactly");
    assert.equal(await countOrders(), ordersBefore + 1, "one order for the two Visa requests");
  });
});

/** A new account, signed up through the API; returns its session cookie. */
async function signUpFan(email, password) {
  const response = await fetch(stack.apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query:
        "mutation E2ESignUp($email: String!, $password: String!) { signUp(email: $email, password: $password) { id } }",
      variables: { email, password },
    }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("frontrow_session="));
  assert.ok(session, `signed up ${email}: ${await response.text()}`);
  return session.split(";")[0];
}

/** Buys one best-available seat of the event through the API; returns the order id. */
async function buyOneSeat(cookie, eventId) {
  const { holdBestAvailable: hold } = await graphqlRequest(
    stack.apiUrl,
    "mutation E2EHold($eventId: ID!) { holdBestAvailable(eventId: $eventId, quantity: 1) { id } }",
    { eventId },
    cookie,
  );
  const { checkout: order } = await graphqlRequest(
    stack.apiUrl,
    `mutation E2ECheckout($holdId: ID!, $key: String!) {
      checkout(holdId: $holdId, paymentToken: "tok_visa", idempotencyKey: $key) { id }
    }`,
    { holdId: hold.id, key: randomUUID() },
    cookie,
  );
  return order.id;
}

test("the orders list shows the newest order first and loads older ones with Load more", {
  timeout: 240_000,
}, async () => {
  const events = await findOnSaleEvents(stack.apiUrl);
  const email = `collector-${process.pid}@frontrow.test`;
  const password = "collector-password-1";
  const cookie = await signUpFan(email, password);
  // One more than a page, spread over events so no per-fan ticket limit is reached.
  const orderIds = [];
  for (let index = 0; index < 11; index++)
    orderIds.push(await buyOneSeat(cookie, events[index % Math.min(events.length, 4)].id));

  await asFan("list", email, password, "/orders", async (page) => {
    const rows = page.locator("[data-orders] [data-order-id]");
    await rows.first().waitFor({ timeout: 15_000 });
    const shownIds = () => rows.evaluateAll((items) => items.map((item) => item.dataset.orderId));
    assert.deepEqual(await shownIds(), orderIds.slice(1).reverse(), "the ten newest, newest first");
    assert.match((await page.getByText(/^Showing/).textContent()) ?? "", /Showing 10 of 11 orders/);

    await page.getByRole("button", { name: "Load more" }).click();
    await page.waitForFunction(
      () => document.querySelectorAll("[data-orders] [data-order-id]").length === 11,
    );
    assert.deepEqual(await shownIds(), orderIds.toReversed(), "the oldest order follows");
    assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0, "nothing more to load");
    await page.screenshot({ path: `${resultsDir}orders-list.png`, fullPage: true });
  });
});
