// End-to-end transfer in Chromium against the built API and web app: a fan transfers a ticket from the
// order page by email, the recipient opens the link signed out, logs in, accepts and sees the ticket; the
// sender's ticket is void. Needs `pnpm build` at the root first, Postgres and Redis running, Chromium.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import {
  findTheatreEvent,
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  resultsDir,
  sessionCookie,
  startE2eStack,
} from "./support/stack.mjs";

const stack = startE2eStack();
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
