// End-to-end transfer and waitlist in Chromium against the built API and web app: a fan transfers a
// ticket from the order page by email, the recipient opens the link signed out, logs in, accepts and sees
// the ticket; the sender's ticket is void. And a fan on a phone joins a sold-out standing area's waitlist
// from the keyboard and gets the place that comes back. Needs `pnpm build` at the root first, Postgres and
// Redis running, Chromium.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import {
  findOnSaleEvents,
  findTheatreEvent,
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  psql,
  resultsDir,
  sessionCookie,
  startE2eStack,
} from "./support/stack.mjs";

// Waitlist offers are made by a scan: every 200 ms here, so the offer shows while the test looks.
const stack = startE2eStack({ apiEnv: { WAITLIST_SCAN_INTERVAL_MS: "200" } });
const SENDER = { email: "fan@frontrow.test", password: "fan-password-1" };
const RECIPIENT = { email: "fan2@frontrow.test", password: "fan-password-2" };

test("a fan transfers a ticket by email; the recipient logs in, accepts and sees it", {
  timeout: 180_000,
}, async () => {
  mkdirSync(resultsDir, { recursive: true });
  const event = await findTheatreEvent(stack.apiUrl);
  const cookie = await sessionCookie(stack.apiUrl, SENDER);
  const { holdBestAvailable: hold } = await graphqlRequest(
    stack.apiUrl,
    "mutation ($e: ID!) { holdBestAvailable(eventId: $e, quantity: 2) { id } }",
    { e: event.id },
    cookie,
  );
  const { checkout: order } = await graphqlRequest(
    stack.apiUrl,
    `mutation ($h: ID!, $k: String!) { checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { id } }`,
    { h: hold.id, k: `e2e-transfer-${Date.now()}` },
    cookie,
  );
  const orderPath = `/orders/${order.id}`;

  const browser = await launchBrowser();
  const sender = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const recipient = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const senderPage = await sender.newPage();
  const recipientPage = await recipient.newPage();
  try {
    await logInThroughUi(senderPage, stack.webUrl, SENDER.email, SENDER.password, orderPath);
    const section = senderPage.locator("[data-transfers]");
    await section.getByRole("checkbox").first().waitFor({ timeout: 15_000 });
    // Nothing chosen: the error stands beside the tickets.
    await section.getByLabel("Recipient's email").fill(RECIPIENT.email);
    await section.getByRole("button", { name: "Transfer tickets" }).click();
    await section.getByText("Choose at least one ticket").waitFor();
    await section.getByRole("checkbox").first().check();
    await section.getByRole("button", { name: "Transfer tickets" }).click();
    const pending = section.locator("[data-transfer-id][data-state=PENDING]");
    await pending.waitFor({ timeout: 15_000 });
    const transferId = await pending.getAttribute("data-transfer-id");

    // The recipient follows the emailed link signed out: log in, come back, accept.
    await recipientPage.goto(`${stack.webUrl}/transfers/${transferId}`);
    await recipientPage.waitForURL(/\/login\?next=/, { timeout: 15_000 });
    await logInThroughUi(
      recipientPage,
      stack.webUrl,
      RECIPIENT.email,
      RECIPIENT.password,
      `/transfers/${transferId}`,
    );
    await recipientPage.getByRole("button", { name: "Accept tickets" }).click();
    await recipientPage.getByRole("link", { name: "See your tickets" }).click();
    await recipientPage
      .locator("[data-order-status=CONFIRMED] [data-ticket-status=VALID] svg[data-ticket-qr]")
      .waitFor({
        timeout: 15_000,
      });
    assert.equal(
      await recipientPage.locator("[data-ticket-status]").count(),
      1,
      "the one ticket transferred",
    );

    await senderPage.reload();
    await senderPage.locator("[data-transfer-id][data-state=ACCEPTED]").waitFor({ timeout: 15_000 });
    assert.equal(
      await senderPage.locator("[data-ticket-status=VOID]").count(),
      1,
      "the sender's ticket is void",
    );
    assert.equal(await senderPage.locator("[data-ticket-status=VALID]").count(), 1);
  } catch (error) {
    await senderPage
      .screenshot({ path: `${resultsDir}transfer-sender-failure.png`, fullPage: true })
      .catch(() => {});
    await recipientPage
      .screenshot({ path: `${resultsDir}transfer-recipient-failure.png`, fullPage: true })
      .catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await sender.close().catch(() => {});
    await recipient.close().catch(() => {});
  }
});

test("a fan on a phone joins a sold-out standing area's waitlist from the keyboard and gets the place back", {
  timeout: 180_000,
}, async () => {
  mkdirSync(resultsDir, { recursive: true });
  // Not the transfer test's event. A standing area of one place, added to the event's chart, sold out.
  const [, event] = await findOnSaleEvents(stack.apiUrl);
  assert.ok(event, "a second on-sale event without a waiting room");
  const area = `Waitlist floor ${Date.now()}`;
  psql(
    stack.databaseUrl,
    `WITH area AS (
       INSERT INTO section (chart_id, name, kind, capacity, sort_order)
       SELECT e.chart_id, '${area}', 'STANDING', 1,
              (SELECT max(s.sort_order) + 1 FROM section s WHERE s.chart_id = e.chart_id)
       FROM event e WHERE e.id = ${Number(event.id)}
       RETURNING id)
     INSERT INTO section_pricing (event_id, section_id, price_tier_id)
     SELECT ${Number(event.id)}, area.id, (SELECT id FROM price_tier WHERE event_id = ${Number(event.id)} ORDER BY id LIMIT 1)
     FROM area`,
  );
  const seller = await sessionCookie(stack.apiUrl, SENDER);
  const { seatMap } = await graphqlRequest(
    stack.apiUrl,
    "query ($e: ID!) { seatMap(eventId: $e) { areas { id name } } }",
    { e: event.id },
  );
  const areaId = seatMap.areas.find((candidate) => candidate.name === area)?.id;
  assert.ok(areaId, "the new area is on the seat map");
  const { holdGeneralAdmission: hold } = await graphqlRequest(
    stack.apiUrl,
    "mutation ($e: ID!, $a: ID!) { holdGeneralAdmission(eventId: $e, areaId: $a, quantity: 1) { id } }",
    { e: event.id, a: areaId },
    seller,
  );
  const { checkout: order } = await graphqlRequest(
    stack.apiUrl,
    `mutation ($h: ID!, $k: String!) { checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { id } }`,
    { h: hold.id, k: `e2e-waitlist-${Date.now()}` },
    seller,
  );

  const browser = await launchBrowser();
  const fan = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await fan.newPage();
  try {
    await logInThroughUi(page, stack.webUrl, RECIPIENT.email, RECIPIENT.password, `/events/${event.id}`);
    const section = page.locator("[data-waitlist]");
    const wanted = section.getByLabel("Wait for");
    await wanted.waitFor({ timeout: 15_000 });
    // The seats are on sale: only the sold-out area takes places, and it is chosen.
    assert.deepEqual(await wanted.locator("option").allTextContents(), [`${area} (standing)`]);
    await wanted.focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Home"); // Places: 1
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const place = section.locator("[data-waitlist-entry][data-state=WAITING]");
    await place.waitFor({ timeout: 15_000 });
    assert.match(await place.textContent(), /1 standing place[\s\S]*You are next in line/);

    // The seller cancels: the place comes back and is held for this fan.
    await graphqlRequest(
      stack.apiUrl,
      "mutation ($o: ID!) { cancelOrder(orderId: $o) { id } }",
      { o: order.id },
      seller,
    );
    const offered = section.locator("[data-waitlist-entry][data-state=OFFERED]");
    await offered.waitFor({ timeout: 20_000 });
    assert.match(await offered.textContent(), /The standing places are held for you until/);
    await offered.getByRole("link", { name: "Check out your places" }).waitFor();
  } catch (error) {
    await page.screenshot({ path: `${resultsDir}waitlist-failure.png`, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await fan.close().catch(() => {});
  }
});
