// End-to-end in Chromium against the built API and web app: an organizer on a phone sets an event's
// transfer and waitlist settings on its edit page with the keyboard alone; the API's problem shows beside
// its field, and the saved values are the event's. Needs `pnpm build` at the root first.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import {
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  resultsDir,
  sessionCookie,
  startE2eStack,
} from "./support/stack.mjs";

const stack = startE2eStack();
const ORGANIZER = { email: "organizer@frontrow.test", password: "organizer-password" };
const SETTINGS = `query ($id: ID!) { eventSettings(eventId: $id) {
  transfersAllowed transferCutoffHours waitlistEnabled waitlistOfferSeconds } }`;

/** Presses Tab until the field named `name` has the focus (as a keyboard user reaches it). */
async function tabTo(page, name) {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((field) => document.activeElement?.getAttribute("name") === field, name)) return;
  }
  assert.fail(`Tab never reached the field ${name}`);
}

/** Replaces the value of the focused field by typing. */
async function retype(page, value) {
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type(value);
}

test("an organizer on a phone sets transfers and the waitlist from the keyboard", {
  timeout: 180_000,
}, async () => {
  mkdirSync(resultsDir, { recursive: true });
  const cookie = await sessionCookie(stack.apiUrl, ORGANIZER);
  const { myEvents } = await graphqlRequest(
    stack.apiUrl,
    "{ myEvents(status: ON_SALE, first: 1) { edges { node { id } } } }",
    {},
    cookie,
  );
  const eventId = myEvents.edges[0]?.node.id;
  assert.ok(eventId, "the demo organizer has an event on sale");
  const settings = async () =>
    (await graphqlRequest(stack.apiUrl, SETTINGS, { id: eventId }, cookie)).eventSettings;
  assert.deepEqual(await settings(), {
    transfersAllowed: true,
    transferCutoffHours: 0,
    waitlistEnabled: true,
    waitlistOfferSeconds: 1800,
  });

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const editPath = `/organizer/events/${eventId}/edit`;
  try {
    await logInThroughUi(page, stack.webUrl, ORGANIZER.email, ORGANIZER.password, editPath);
    const transfers = page.getByLabel("Fans may transfer tickets");
    await transfers.waitFor({ timeout: 15_000 });
    assert.equal(await transfers.isChecked(), true);

    await tabTo(page, "transfersAllowed");
    await page.keyboard.press("Space");
    await tabTo(page, "transferCutoffHours");
    await retype(page, "48");
    await tabTo(page, "waitlistEnabled");
    await page.keyboard.press("Space");
    await tabTo(page, "waitlistOfferSeconds");
    await retype(page, "10");
    await page.keyboard.press("Enter");

    // The API refuses the offer time: its words beside the field, announced, the field marked.
    const offer = page.getByLabel("Waitlist offer holds seats for (seconds)");
    await page.getByText("waitlistOfferSeconds must be a whole number from 300 to 86400").waitFor({
      timeout: 15_000,
    });
    assert.equal(await offer.getAttribute("aria-invalid"), "true");
    assert.equal((await settings()).waitlistOfferSeconds, 1800, "nothing saved");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the form fits a phone's width (${width}px)`);
    await page.screenshot({ path: `${resultsDir}event-settings-phone.png`, fullPage: true });

    await offer.focus();
    await retype(page, "900");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${stack.webUrl}/organizer/events/${eventId}/manage`, { timeout: 15_000 });
    assert.deepEqual(await settings(), {
      transfersAllowed: false,
      transferCutoffHours: 48,
      waitlistEnabled: false,
      waitlistOfferSeconds: 900,
    });
    // The edit page shows what was saved.
    await page.goto(`${stack.webUrl}${editPath}`);
    await transfers.waitFor({ timeout: 15_000 });
    assert.equal(await transfers.isChecked(), false);
    assert.equal(await page.getByLabel("Transfers close (hours before)").inputValue(), "48");
    assert.deepEqual(pageErrors, []);
  } catch (error) {
    await page
      .screenshot({ path: `${resultsDir}event-settings-failure.png`, fullPage: true })
      .catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await context.close();
  }
});
