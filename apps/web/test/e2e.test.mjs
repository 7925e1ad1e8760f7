// End-to-end: a fresh database, the built API and the built web app, driven in Chromium: the catalog and
// the stadium's seat map, two fans holding and releasing seats on one live map, and "Forgot password?"
// with the mail read from a real SMTP server (maildev's REST API).
// Needs `pnpm build` at the root first, Postgres and Redis running, psql and /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { test } from "node:test";
import { heldCount, seatOnScreen, seatTooltip, watchHeldCount } from "./support/seat-map.mjs";
import {
  findTheatreEvent,
  graphqlRequest,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  resultsDir,
  startE2eStack,
} from "./support/stack.mjs";

const STADIUM_MIN_SEATS = 50_000;

const stack = startE2eStack();

/** The upcoming event held in the biggest venue, which must be the 50,000+ seat stadium. */
async function findStadiumEvent(apiUrl) {
  let after = null;
  let best = null;
  do {
    const data = await graphqlRequest(
      apiUrl,
      `query E2EEvents($after: String) {
        events(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          edges { node { id name onSale queueEnabled venue { name capacity } } }
        }
      }`,
      { after },
    );
    for (const { node } of data.events.edges) {
      // A waiting room shows instead of the map until admitted (queue.e2e.test.mjs covers that).
      if (node.queueEnabled) continue;
      const better =
        !best ||
        node.venue.capacity > best.venue.capacity ||
        (node.venue.capacity === best.venue.capacity && node.onSale && !best.onSale);
      if (better) best = node;
    }
    after = data.events.pageInfo.hasNextPage ? data.events.pageInfo.endCursor : null;
  } while (after);
  assert.ok(best, "the seeded database has no upcoming events");
  assert.ok(
    best.venue.capacity >= STADIUM_MIN_SEATS,
    `no upcoming event in a venue with ${STADIUM_MIN_SEATS}+ seats (largest: ${best.venue.name}, ${best.venue.capacity})`,
  );
  return best;
}

/** Two free seats side by side, in the middle of a priced row (so both are well inside the drawn map). */
async function findTwoFreeSeats(apiUrl, eventId) {
  const { seatMap } = await graphqlRequest(
    apiUrl,
    `query E2ESeats($eventId: ID!) {
      seatMap(eventId: $eventId) { statuses sections { priceTierId seats { id row number x y } } }
    }`,
    { eventId },
  );
  let index = 0;
  for (const section of seatMap.sections) {
    const rows = new Map();
    for (const seat of section.seats) {
      const free = section.priceTierId !== null && seatMap.statuses[index++] === "A";
      if (!free) continue;
      if (!rows.has(seat.row)) rows.set(seat.row, []);
      rows.get(seat.row).push(seat);
    }
    for (const seats of rows.values()) {
      seats.sort((a, b) => a.number - b.number);
      const middle = Math.floor(seats.length / 2);
      const [first, second] = [seats[middle - 1], seats[middle]];
      if (first && second && second.number === first.number + 1) return [first, second];
    }
  }
  throw new Error("no two adjacent free seats on the map");
}

test("a fan finds the stadium event in the catalog and sees its seat map drawn", {
  timeout: 180_000,
}, async () => {
  const stadiumEvent = await findStadiumEvent(stack.apiUrl);
  mkdirSync(resultsDir, { recursive: true });
  rmSync(`${resultsDir}e2e-failure.png`, { force: true });

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  try {
    await page.goto(`${stack.webUrl}/`);
    await page.getByLabel("Search", { exact: true }).fill(stadiumEvent.name);
    await page.waitForURL((url) => url.searchParams.get("q") === stadiumEvent.name, { timeout: 15_000 });
    const result = page.getByRole("link", { name: stadiumEvent.name, exact: true }).first();
    await result.waitFor({ state: "visible", timeout: 15_000 });
    // The old results fade while new ones load: wait until they are fully shown again.
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector("[data-results]") ?? document.body).opacity === "1",
    );
    await page.screenshot({ path: `${resultsDir}catalog-search.png` });

    await result.click();
    await page.waitForURL(`${stack.webUrl}/events/${stadiumEvent.id}`, { timeout: 15_000 });
    await page.getByRole("heading", { level: 1, name: stadiumEvent.name }).waitFor({ timeout: 15_000 });

    const canvas = page.locator('canvas[data-rendered="true"]');
    await canvas.waitFor({ state: "attached", timeout: 60_000 });
    await page.getByRole("heading", { name: "Seat map" }).evaluate((heading) => heading.scrollIntoView());
    const seatCount = Number(await canvas.getAttribute("data-seat-count"));
    const statusVersion = await canvas.getAttribute("data-status-version");
    assert.ok(
      seatCount >= STADIUM_MIN_SEATS,
      `the seat map has ${seatCount} seats, expected ${STADIUM_MIN_SEATS}+`,
    );
    assert.equal(seatCount, stadiumEvent.venue.capacity, "every seat of the venue is on the map");
    assert.match(statusVersion ?? "", /^\d+$/, "the drawn statuses carry the seat map version");

    // Not blank: a good share of the canvas differs from its background, in several colours (stage, tiers).
    // Colours are compared at 4 bits per channel, as zoomed-out seats blend into tints of their colour.
    const pixels = await canvas.evaluate((element) => {
      const context = element.getContext("2d");
      const { data } = context.getImageData(0, 0, element.width, element.height);
      const counts = new Map();
      for (let offset = 0; offset < data.length; offset += 4) {
        const colour = ((data[offset] >> 4) << 8) | ((data[offset + 1] >> 4) << 4) | (data[offset + 2] >> 4);
        counts.set(colour, (counts.get(colour) ?? 0) + 1);
      }
      const sorted = [...counts.values()].sort((a, b) => b - a);
      const total = data.length / 4;
      return {
        paintedShare: (total - (sorted[0] ?? 0)) / total,
        coloursUsedWidely: sorted.slice(1).filter((count) => count > total * 0.003).length,
      };
    });
    assert.ok(
      pixels.paintedShare > 0.1,
      `only ${(pixels.paintedShare * 100).toFixed(1)}% of the canvas is drawn`,
    );
    assert.ok(pixels.coloursUsedWidely >= 3, `the map uses ${pixels.coloursUsedWidely} colours, expected 3+`);

    await page.screenshot({ path: `${resultsDir}stadium-seat-map.png` });
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    await page.screenshot({ path: `${resultsDir}e2e-failure.png`, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  }
});

test("fan A holds two seats and fan B's map shows them held within a second, then free again", {
  timeout: 180_000,
}, async () => {
  const event = await findTheatreEvent(stack.apiUrl);
  const eventPath = `/events/${event.id}`;
  const [first, second] = await findTwoFreeSeats(stack.apiUrl, event.id);
  mkdirSync(resultsDir, { recursive: true });
  rmSync(`${resultsDir}e2e-live-failure-a.png`, { force: true });
  rmSync(`${resultsDir}e2e-live-failure-b.png`, { force: true });

  const browser = await launchBrowser();
  // Two contexts: two fans with their own cookies, as in two separate browsers.
  const contextA = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const contextB = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const fanA = await contextA.newPage();
  const fanB = await contextB.newPage();
  const pageErrors = [];
  for (const page of [fanA, fanB]) page.on("pageerror", (error) => pageErrors.push(error.message));

  try {
    await logInThroughUi(fanA, stack.webUrl, "fan@frontrow.test", "fan-password-1", eventPath);
    await logInThroughUi(fanB, stack.webUrl, "fan2@frontrow.test", "fan-password-2", eventPath);
    const canvasA = fanA.locator('canvas[data-rendered="true"]');
    const canvasB = fanB.locator('canvas[data-rendered="true"]');
    for (const [page, canvas] of [
      [fanA, canvasA],
      [fanB, canvasB],
    ]) {
      await canvas.waitFor({ state: "attached", timeout: 60_000 });
      // Subscribed to the live map before anyone holds anything.
      await page.locator('[data-live-status="connected"]').waitFor({ timeout: 15_000 });
      await page.getByRole("heading", { name: "Seat map" }).evaluate((heading) => heading.scrollIntoView());
    }
    const heldBefore = await heldCount(canvasB);

    for (const seat of [first, second]) {
      const point = await seatOnScreen(canvasA, seat);
      await fanA.mouse.click(point.x, point.y);
    }
    const picked = fanA.locator("[data-picked-seats] li");
    await fanA.waitForFunction(() => document.querySelectorAll("[data-picked-seats] li").length === 2);
    assert.deepEqual(await picked.evaluateAll((items) => items.map((item) => item.dataset.seatId)), [
      first.id,
      second.id,
    ]);
    await fanA.screenshot({ path: `${resultsDir}live-a-picked.png` });

    const fanBSeesHold = watchHeldCount(fanB, heldBefore + 2);
    await fanA.getByRole("button", { name: "Hold seats", exact: true }).click();
    const holdCard = fanA.locator("[data-hold-id]");
    await holdCard.waitFor({ timeout: 10_000 });
    const heldConfirmedAt = Date.now();
    const heldMs = Math.max(0, (await fanBSeesHold) - heldConfirmedAt);
    console.log(`fan B saw the hold ${heldMs} ms after fan A's hold was confirmed`);
    assert.ok(heldMs <= 1_000, `fan B saw the hold after ${heldMs} ms`);
    assert.match(await seatTooltip(fanB, canvasB, first), /Held$/);
    assert.match(await seatTooltip(fanB, canvasB, second), /Held$/);
    assert.match(await holdCard.getByRole("timer").textContent(), /^(10:00|9:[0-5]\d)$/);
    assert.match(await holdCard.locator("[data-hold-total]").textContent(), /\d/);
    await fanA.screenshot({ path: `${resultsDir}live-a-held.png` });
    await fanB.screenshot({ path: `${resultsDir}live-b-sees-held.png` });

    const fanBSeesRelease = watchHeldCount(fanB, heldBefore);
    await holdCard.getByRole("button", { name: "Release seats" }).click();
    await holdCard.waitFor({ state: "detached", timeout: 10_000 });
    const releaseConfirmedAt = Date.now();
    const releasedMs = Math.max(0, (await fanBSeesRelease) - releaseConfirmedAt);
    console.log(`fan B saw the release ${releasedMs} ms after fan A's release was confirmed`);
    assert.ok(releasedMs <= 1_000, `fan B saw the release after ${releasedMs} ms`);
    assert.match(await seatTooltip(fanB, canvasB, first), /Available$/);
    assert.match(await seatTooltip(fanB, canvasB, second), /Available$/);
    await fanB.screenshot({ path: `${resultsDir}live-b-sees-released.png` });
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    const noticeA = await fanA
      .locator("[data-notice-tone]")
      .textContent({ timeout: 1_000 })
      .catch(() => null);
    console.log(`fan A's panel says: ${noticeA ?? "nothing"}`);
    await fanA.screenshot({ path: `${resultsDir}e2e-live-failure-a.png`, fullPage: true }).catch(() => {});
    await fanB.screenshot({ path: `${resultsDir}e2e-live-failure-b.png`, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await contextA.close().catch(() => {});
    await contextB.close().catch(() => {});
  }
});

// --- Password reset: the emailed link sets a new password once, signs the browser in and ends the
// session the fan had elsewhere.

const EMAIL = "forgetful.fan@e2e.test";
const OLD_PASSWORD = "my old passphrase 1";
const NEW_PASSWORD = "a fresh passphrase 2";

async function api(query, variables, cookie) {
  const response = await fetch(stack.apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const cookieHeader = response.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  return { body: await response.json(), cookie: cookieHeader?.split(";")[0] };
}

/** The reset link of the newest reset mail to `email`, from maildev's REST API. */
async function resetLinkFor(email) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const mails = await (await fetch(`${stack.mailUrl}/email`)).json();
    const reset = mails
      .filter((mail) => mail.to.some((to) => to.address === email))
      .find((mail) => mail.subject === "Reset your Frontrow password");
    const link = reset && /https?:\/\/\S+\/reset-password\?token=[\w-]+/.exec(reset.text)?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no reset mail to ${email}`);
}

test("a fan who forgot their password resets it from the login page with the emailed link, once", async () => {
  const signedUp = await api(
    "mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p) { id } }",
    { e: EMAIL, p: OLD_PASSWORD },
  );
  assert.equal(signedUp.body.errors, undefined);
  const oldSession = signedUp.cookie;
  assert.ok(oldSession);

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  try {
    await page.goto(`${stack.webUrl}/login`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.waitForURL(`${stack.webUrl}/forgot-password`);
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Email", { exact: true }).press("Enter");
    await page
      .getByRole("status")
      .filter({ hasText: "a link to choose a new password is on its way" })
      .waitFor();

    const link = await resetLinkFor(EMAIL);
    assert.ok(link.startsWith(stack.webUrl), `the link points at the web app: ${link}`);
    await page.goto(link);
    const password = page.getByLabel("New password", { exact: true });
    await password.fill("short");
    // The browser's own minlength check would stop a short one; the API's rule shows beside the field.
    await password.evaluate((input) => input.removeAttribute("minlength"));
    await page.getByRole("button", { name: "Set new password" }).click();
    // Beside the field, and announced with it.
    const problem = page.locator('[id$="-password-problem"]');
    await problem.waitFor();
    const problemId = await problem.getAttribute("id");
    assert.ok((await password.getAttribute("aria-describedby")).split(" ").includes(problemId));
    assert.equal(await password.getAttribute("aria-invalid"), "true");
    assert.match(await problem.textContent(), /at least 10 characters/);

    await password.fill(NEW_PASSWORD);
    await password.press("Enter");
    await page.waitForURL(`${stack.webUrl}/orders`, { timeout: 15_000 });
    await page.locator(`[data-viewer-email="${EMAIL}"]`).waitFor({ timeout: 15_000 });

    const me = await api("{ me { email } }", {}, oldSession);
    assert.equal(me.body.data.me, null, "the session the fan had before the reset has ended");

    // The link works once.
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("yet another passphrase 3");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("alert").filter({ hasText: "already been used" }).waitFor();
    await page.getByRole("link", { name: "Ask for a new link" }).waitFor();
  } catch (error) {
    printServerOutput();
    throw error;
  } finally {
    await context.close();
  }
});
