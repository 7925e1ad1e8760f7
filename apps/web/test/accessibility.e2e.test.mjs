// Accessibility end to end in Chromium, against the built API and web app: axe-core finds no serious or
// critical violations on the event, checkout and order pages; a fan picks two specific seats with the arrow
// keys alone, holds and pays; and the fan-page defects of issue 16 stay fixed (404, dates, phone layout).
// Needs `pnpm build` at the root first, Postgres and Redis running, psql and /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertNoSeriousViolations } from "./support/axe.mjs";
import { headerProblems } from "./support/header.mjs";
import {
  findTheatreEvent,
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  PHONE,
  printServerOutput,
  resultsDir,
  startE2eStack,
} from "./support/stack.mjs";

const stack = startE2eStack();

/** Presses Tab until `matches` says the focused element is the one wanted; fails after `limit` presses. */
async function tabTo(page, matches, limit, what) {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(matches)) return presses;
  }
  throw new Error(`${what} was not reached within ${limit} presses of Tab`);
}

const focusedSeat = (page) =>
  page.locator("canvas[data-rendered]").getAttribute("data-focused-seat", { timeout: 5_000 });

/** The seat map as the API gives it, flattened in the API's order (the order the page's layout uses). */
async function seatsOf(eventId) {
  const data = await graphqlRequest(
    stack.apiUrl,
    `query A11ySeatMap($eventId: ID!) {
      seatMap(eventId: $eventId) { statuses sections { id seats { id row number x y } } }
    }`,
    { eventId },
  );
  const { statuses, sections } = data.seatMap;
  return sections
    .flatMap((section) => section.seats.map((seat) => ({ ...seat, section: section.id })))
    .map((seat, index) => ({ ...seat, status: statuses.charAt(index) }));
}

test("a fan picks two seats with the arrow keys alone, holds and pays; axe finds nothing serious", {
  timeout: 240_000,
}, async () => {
  const event = await findTheatreEvent(stack.apiUrl);
  const seats = await seatsOf(event.id);
  // The keyboard starts on the first available seat; Right goes to the next seat on screen in its row.
  const start = seats.find((seat) => seat.status === "A");
  assert.ok(start, "the theatre has an available seat");
  const rightOf = (from) =>
    seats
      .filter((seat) => seat.section === from.section && seat.row === from.row && seat.x > from.x)
      .sort((a, b) => a.x - b.x)[0];
  const first = rightOf(start);
  const second = first && rightOf(first);
  assert.ok(first && second, "the first available seat has two seats to its right");
  assert.equal(first.status, "A");
  assert.equal(second.status, "A");

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const eventPath = `/events/${event.id}`;
  try {
    await logInThroughUi(page, stack.webUrl, "fan@frontrow.test", "fan-password-1", eventPath);
    const canvas = page.locator("canvas[data-rendered]");
    await canvas.waitFor({ state: "attached", timeout: 60_000 });
    await page.locator('[data-live-status="connected"]').waitFor({ timeout: 15_000 });
    await assertNoSeriousViolations(page, "event page");
    const heldBefore = Number(await page.locator('[data-count="held"]').textContent());

    // One tab stop for the whole map; the keyboard lands on the first available seat.
    await tabTo(page, () => document.activeElement?.tagName === "CANVAS", 40, "the seat map");
    assert.equal(await focusedSeat(page), start.id);
    await page.keyboard.press("ArrowRight");
    assert.equal(await focusedSeat(page), first.id);
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowRight");
    assert.equal(await focusedSeat(page), second.id);
    await page.keyboard.press("Space");
    const announcement = page.locator("[data-seat-announcement]");
    await page.waitForFunction(
      () => document.querySelector("[data-seat-announcement]")?.textContent?.endsWith("Selected."),
      undefined,
      { timeout: 5_000 },
    );
    assert.match((await announcement.textContent()) ?? "", /Row .+ · Seat \d+, .+, .+\d.*, Selected\.$/);
    assert.equal(await page.locator("[data-picked-seats] li").count(), 2);
    await page.screenshot({ path: `${resultsDir}keyboard-picked.png` });

    await tabTo(
      page,
      () => document.activeElement?.textContent?.trim() === "Hold seats",
      15,
      "the Hold seats button",
    );
    await page.keyboard.press("Enter");
    const holdCard = page.locator("[data-hold-id]");
    await holdCard.waitFor({ timeout: 15_000 });
    // The hold card takes the focus; Checkout is the next stop.
    await page.waitForFunction(() => document.activeElement?.hasAttribute("data-hold-id"), undefined, {
      timeout: 5_000,
    });
    const presses = await tabTo(
      page,
      () => document.activeElement?.textContent?.trim() === "Checkout",
      3,
      "the Checkout link",
    );
    assert.equal(presses, 1);
    // The Availability box follows the live map.
    await page.waitForFunction(
      (expected) => Number(document.querySelector('[data-count="held"]')?.textContent) >= expected,
      heldBefore + 2,
      { timeout: 15_000 },
    );
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor({ timeout: 15_000 });
    await page.locator("[data-checkout-seats] li").first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("[data-checkout-seats] li").count(), 2);
    await assertNoSeriousViolations(page, "checkout page");

    await tabTo(
      page,
      () => document.activeElement?.closest("label")?.textContent?.includes("Visa — succeeds") ?? false,
      30,
      "the test Visa card",
    );
    await page.keyboard.press("Space");
    assert.equal(await page.getByLabel(/Visa — succeeds/).isChecked(), true);
    await tabTo(
      page,
      () => document.activeElement?.textContent?.trim().startsWith("Pay ") ?? false,
      10,
      "the Pay button",
    );
    await page.keyboard.press("Enter");
    await page.locator("[data-order-status=CONFIRMED]").waitFor({ timeout: 20_000 });
    await page.locator("[data-ticket-status=VALID] svg[data-ticket-qr]").nth(1).waitFor({ timeout: 15_000 });
    await assertNoSeriousViolations(page, "order page");
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    await page.screenshot({ path: `${resultsDir}accessibility-failure.png`, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await context.close().catch(() => {});
  }
});

test("an unknown event answers 404, dates in the wrong order get an inline message, a cancelled event sells nothing", async () => {
  const missing = await fetch(`${stack.webUrl}/events/999999`);
  assert.equal(missing.status, 404);

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${stack.webUrl}/?from=2026-12-30&to=2026-12-25`);
    const message = page.locator("[data-date-problem]");
    await message.waitFor({ timeout: 15_000 });
    assert.match((await message.textContent()) ?? "", /“To” date is before the “From” date/);
    assert.equal(await page.getByRole("link", { name: "Try again" }).count(), 0);
    assert.equal(await page.getByText("startsAfter must be before startsBefore").count(), 0);

    // A cancelled event (the seed has one) sells nothing: no availability, prices or seat map.
    const data = await graphqlRequest(
      stack.apiUrl,
      "query A11yEvents { events(first: 100) { edges { node { id name status } } } }",
    );
    const cancelled = data.events.edges.map(({ node }) => node).find((node) => node.status === "CANCELLED");
    assert.ok(cancelled, "the seed has a cancelled event");
    await page.goto(`${stack.webUrl}/events/${cancelled.id}`);
    await page.getByRole("heading", { level: 1, name: cancelled.name }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("[data-availability]").count(), 0);
    assert.equal(await page.getByRole("heading", { name: "Seat map" }).count(), 0);
    assert.equal(await page.getByText(/This event will not take place/).count(), 1);
    // Nor does its card in the catalog offer a price.
    await page.goto(`${stack.webUrl}/?q=${encodeURIComponent(cancelled.name)}`);
    const card = page.locator("article", {
      has: page.getByRole("link", { name: cancelled.name, exact: true }),
    });
    await card.first().waitFor({ timeout: 15_000 });
    assert.doesNotMatch((await card.first().textContent()) ?? "", /From |Prices to be announced/);
  } finally {
    await page.close();
  }
});

test("on a 390px phone the dates fit the filter card, the list picks seats and the zoom buttons leave the map alone", {
  timeout: 120_000,
}, async () => {
  const browser = await launchBrowser();
  const page = await browser.newPage(PHONE);
  try {
    await page.goto(`${stack.webUrl}/`);
    const card = await page.getByRole("form", { name: "Filter events" }).boundingBox();
    const to = await page.getByLabel("To", { exact: true }).boundingBox();
    assert.ok(card && to);
    assert.ok(to.x + to.width <= card.x + card.width, "the To date stays inside the filter card");

    const event = await findTheatreEvent(stack.apiUrl);
    await page.goto(`${stack.webUrl}/events/${event.id}`);
    // Phones start with the list: a checkbox picks a seat, as a tap on the map would.
    const list = page.locator("[data-seat-list]");
    await list.waitFor({ timeout: 60_000 });
    await list.locator("summary").first().click();
    const firstSeat = list.locator("input[type=checkbox]").first();
    await firstSeat.check();
    await page.locator("[data-picked-seats] li").first().waitFor({ timeout: 5_000 });
    assert.equal(await page.locator("[data-picked-seats] li").count(), 1);
    assert.equal(await firstSeat.isChecked(), true);
    await page.getByRole("button", { name: "Map", exact: true }).click();
    const canvas = page.locator("canvas[data-rendered]");
    await canvas.waitFor({ state: "attached", timeout: 60_000 });
    const map = await canvas.boundingBox();
    const zoomIn = await page.getByRole("button", { name: "Zoom in" }).boundingBox();
    assert.ok(map && zoomIn);
    assert.ok(zoomIn.y >= map.y + map.height, "the zoom buttons sit below the map, not over it");
  } finally {
    await page.close();
  }
});

test("the header fits every width from 320 to 1280 px, signed out and as a fan, an organizer and an admin", {
  timeout: 180_000,
}, async () => {
  const browser = await launchBrowser();
  const visitors = [
    ["signed out"],
    ["a fan", "fan@frontrow.test", "fan-password-1"],
    ["an organizer", "organizer@frontrow.test", "organizer-password"],
    ["an admin", "admin@frontrow.test", "admin-password"],
  ];
  const misfits = [];
  for (const [who, email, password] of visitors) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      if (email) await logInThroughUi(page, stack.webUrl, email, password, "/");
      else await page.goto(`${stack.webUrl}/`);
      await page
        .getByRole("link", { name: email ? /orders/i : "Sign up" })
        .first()
        .waitFor({ timeout: 15_000 });
      for (let width = 320; width <= 1280; width += 20) {
        await page.setViewportSize({ width, height: 800 });
        const problems = await headerProblems(page);
        if (problems.length > 0) misfits.push(`${who} at ${width}px: ${problems.join("; ")}`);
      }
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(misfits, [], "the logo, the links and the account controls share every width");
});
