// End-to-end: the waiting room in the browser. A small venue's event is switched to use the waiting room with its
// sale a few seconds ahead and a slow admission rate; two fans join the pre-queue before the sale, the draw orders
// them when it opens, one is let in while the other sees their position, then the other, and both hold seats with
// their admission tokens. Finally the draw's audit page shows the commitment and the revealed seed.
// Needs `pnpm build` at the root first, Postgres and Redis running, psql and /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import {
  findOnSaleEvents,
  launchBrowser,
  logInThroughUi,
  printServerOutput,
  psql,
  resultsDir,
  startE2eStack,
} from "./support/stack.mjs";

const stack = startE2eStack();

// Long enough for both fans to open the page and join before the sale opens on a loaded machine.
const SALE_OPENS_IN_SECONDS = 25;
// One fan every 10 s: the second fan has to wait, visibly, while the first shops.
const ADMISSIONS_PER_MINUTE = 6;

const ORGANIZER = { email: "organizer@frontrow.test", password: "organizer-password" };
// 2^16 hashes on average: long enough to show the puzzle's progress, short enough for a test.
const PROOF_OF_WORK_BITS = 16;

const FANS = [
  { email: "fan@frontrow.test", password: "fan-password-1" },
  { email: "fan2@frontrow.test", password: "fan-password-2" },
];

/** Two on-sale theatre events, switched below to sell through the waiting room: one per test, kept apart. */
async function findSmallEvents(apiUrl) {
  const events = await findOnSaleEvents(apiUrl);
  assert.ok(events.length >= 2, "the seeded database has too few on-sale events without a waiting room");
  return events;
}

/** What a fan's page shows of the waiting room right now. */
function roomState(page) {
  return page.evaluate(() => {
    const room = document.querySelector("[data-queue-state]");
    const position = document.querySelector("[data-queue-position]");
    return {
      state: room?.getAttribute("data-queue-state") ?? null,
      position: position ? Number(position.getAttribute("data-queue-position")) : null,
    };
  });
}

test("two fans join the pre-queue, are drawn, wait their turn, get in and hold seats", {
  timeout: 300_000,
}, async () => {
  const [event] = await findSmallEvents(stack.apiUrl);
  const eventPath = `/events/${event.id}`;
  mkdirSync(resultsDir, { recursive: true });

  const browser = await launchBrowser();
  const contexts = await Promise.all(
    FANS.map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })),
  );
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  const pageErrors = [];
  for (const page of pages) page.on("pageerror", (error) => pageErrors.push(error.message));

  try {
    for (const [index, fan] of FANS.entries())
      await logInThroughUi(pages[index], stack.webUrl, fan.email, fan.password, "/");

    // The sale opens a few seconds from now, through the waiting room, letting fans in slowly.
    psql(
      stack.databaseUrl,
      `UPDATE event SET queue_enabled = true, queue_paused = false, pow_difficulty = 0,
      admission_rate_per_minute = ${ADMISSIONS_PER_MINUTE}, max_active_shoppers = NULL,
      shopping_window_seconds = 600, sale_starts_at = now() + interval '${SALE_OPENS_IN_SECONDS} seconds'
      WHERE id = ${Number(event.id)}`,
    );
    const saleOpensAt = Date.now() + SALE_OPENS_IN_SECONDS * 1000;

    for (const page of pages) {
      await page.goto(`${stack.webUrl}${eventPath}`);
      const join = page.getByRole("button", { name: "Join the waiting room" });
      await join.waitFor({ timeout: 30_000 });
      // Before the sale, the room explains the lottery and counts down to it.
      await page.locator("[data-sale-countdown]").first().waitFor({ timeout: 5_000 });
      await join.click();
      await page.locator('[data-queue-state="PRE_QUEUE"]').waitFor({ timeout: 15_000 });
      // Subscribed to its own status before the draw.
      await page.locator('[data-live-status="connected"]').waitFor({ timeout: 15_000 });
    }
    assert.ok(
      Date.now() < saleOpensAt,
      "both fans joined before the sale opened (the test machine was too slow)",
    );
    await pages[0].screenshot({ path: `${resultsDir}queue-pre-queue.png` });

    // After the sale opens: watch both pages until both fans are in, noting every position shown meanwhile.
    const timeline = FANS.map(() => []);
    const admittedAt = FANS.map(() => null);
    const deadline = saleOpensAt + 120_000;
    while (admittedAt.some((at) => at === null) && Date.now() < deadline) {
      for (const [index, page] of pages.entries()) {
        if (admittedAt[index] !== null) continue;
        const seen = await roomState(page);
        const last = timeline[index].at(-1);
        if (!last || last.state !== seen.state || last.position !== seen.position) timeline[index].push(seen);
        if (seen.state === "ADMITTED") admittedAt[index] = Date.now();
        else if (
          seen.state === "WAITING" &&
          timeline[index].filter((s) => s.state === "WAITING").length === 1
        )
          await page.screenshot({ path: `${resultsDir}queue-waiting-${index}.png` });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(`what the fans saw: ${JSON.stringify(timeline)}`);
    assert.ok(
      admittedAt.every((at) => at !== null),
      `both fans are let in (saw ${JSON.stringify(timeline)})`,
    );
    assert.ok(
      admittedAt.every((at) => at >= saleOpensAt),
      "nobody is let in before the sale opens",
    );
    const [first, second] = admittedAt[0] <= admittedAt[1] ? [0, 1] : [1, 0];
    // The fan drawn second waited with a position on screen before their turn came.
    const secondWaited = timeline[second].filter((seen) => seen.state === "WAITING");
    assert.ok(
      secondWaited.length > 0,
      `the second fan saw their position (saw ${JSON.stringify(timeline[second])})`,
    );
    assert.ok(secondWaited.every((seen) => seen.position !== null && seen.position >= 1));
    assert.equal(secondWaited.at(-1).position, 1, "the second fan was next in line just before their turn");
    assert.ok(
      admittedAt[second] - admittedAt[first] >= 3_000,
      "the second fan was let in after the first, at the configured pace",
    );

    // Each admitted fan holds two seats with their admission token, under the shopping window's countdown.
    for (const index of [first, second]) {
      const page = pages[index];
      await page.locator("[data-admitted-remaining-ms]").waitFor({ timeout: 10_000 });
      await page.locator('canvas[data-rendered="true"]').waitFor({ state: "attached", timeout: 60_000 });
      await page.getByRole("button", { name: "Find and hold seats" }).click();
      const holdCard = page.locator("[data-hold-id]");
      await holdCard.waitFor({ timeout: 15_000 });
      assert.equal(await holdCard.locator("li").count(), 2, "the hold has the two seats asked for");
      await page.screenshot({ path: `${resultsDir}queue-admitted-held-${index}.png` });
    }

    // The draw can be checked: the commitment published before it, the seed revealed at the sale's start.
    const auditPage = pages[first];
    await auditPage.goto(`${stack.webUrl}${eventPath}/queue/audit`);
    const commitment = await auditPage.locator("[data-audit-commitment]").textContent({ timeout: 15_000 });
    const seed = await auditPage.locator("[data-audit-seed]").textContent();
    assert.match(commitment ?? "", /^[0-9a-f]{16,}$/i, "the commitment is published");
    assert.match(seed ?? "", /^[0-9a-z+/=_-]{16,}$/i, "the seed is revealed");
    // Recomputed in the browser from the seed and the entries: both checks pass.
    await auditPage.getByRole("button", { name: "Check the draw in this browser" }).click();
    await auditPage.locator("[data-draw-check]").waitFor({ timeout: 5_000 });
    assert.deepEqual(
      await auditPage.locator("[data-check]").evaluateAll((items) => items.map((item) => item.dataset.check)),
      ["pass", "pass"],
    );
    await auditPage.screenshot({ path: `${resultsDir}queue-audit.png`, fullPage: true });
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    for (const [index, page] of pages.entries())
      console.log(
        `fan ${index} sees ${JSON.stringify(await roomState(page).catch(() => null))}, live: ${await page.evaluate(() => [...document.querySelectorAll("[data-live-status]")].map((e) => e.dataset.liveStatus)).catch(() => null)}`,
      );
    for (const [index, page] of pages.entries())
      await page
        .screenshot({ path: `${resultsDir}queue-failure-${index}.png`, fullPage: true })
        .catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  }
});

test("an organizer pauses admissions and raises the proof of work; a fan's browser solves it and sees the pause", {
  timeout: 240_000,
}, async () => {
  const [, event] = await findSmallEvents(stack.apiUrl);
  const eventPath = `/events/${event.id}`;
  // On sale now through the waiting room, owned by the demo organizer.
  psql(
    stack.databaseUrl,
    `UPDATE event SET queue_enabled = true, queue_paused = false, pow_difficulty = 0,
    admission_rate_per_minute = 60, max_active_shoppers = NULL, sale_starts_at = now() - interval '1 minute',
    organizer_id = (SELECT id FROM user_account WHERE email = '${ORGANIZER.email}')
    WHERE id = ${Number(event.id)}`,
  );
  mkdirSync(resultsDir, { recursive: true });

  const browser = await launchBrowser();
  const organizerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const fanContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const organizer = await organizerContext.newPage();
  const fan = await fanContext.newPage();
  const pageErrors = [];
  for (const page of [organizer, fan]) page.on("pageerror", (error) => pageErrors.push(error.message));

  try {
    await logInThroughUi(organizer, stack.webUrl, ORGANIZER.email, ORGANIZER.password, "/");
    await organizer.getByRole("link", { name: "Organizer", exact: true }).click();
    // By its address: the organizer's list shows every event they own, and a tour repeats names.
    await organizer.locator(`a[href="/organizer/events/${event.id}"]`).first().click();
    await organizer.waitForURL(`${stack.webUrl}/organizer/events/${event.id}`, { timeout: 15_000 });
    await organizer.locator("[data-queue-figures]").waitFor({ timeout: 15_000 });

    await organizer.getByRole("button", { name: "Pause admissions" }).click();
    await organizer.locator('[data-admissions="paused"]').waitFor({ timeout: 10_000 });
    await organizer.getByLabel("Proof-of-work difficulty (bits)").fill(String(PROOF_OF_WORK_BITS));
    await organizer.getByRole("button", { name: "Save settings" }).click();
    await organizer.getByText("Saved.", { exact: true }).waitFor({ timeout: 10_000 });

    await logInThroughUi(fan, stack.webUrl, FANS[0].email, FANS[0].password, eventPath);
    const join = fan.getByRole("button", { name: "Join the waiting room" });
    await join.waitFor({ timeout: 30_000 });
    // The puzzle's progress bar may be on screen only briefly: note whether it ever appears.
    const puzzleShown = fan.evaluate(
      () =>
        new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            if (!document.querySelector("[data-proof-of-work]")) return;
            observer.disconnect();
            resolve(true);
          });
          observer.observe(document.body, { childList: true, subtree: true });
          setTimeout(() => resolve(false), 60_000);
        }),
    );
    await join.click();
    assert.equal(await puzzleShown, true, "the fan saw the proof-of-work progress");
    // Joined with a valid proof, and told the line is paused.
    await fan.locator('[data-queue-state="WAITING"]').waitFor({ timeout: 60_000 });
    assert.equal(await fan.locator("[data-queue-position]").getAttribute("data-queue-position"), "1");
    await fan.getByText("Admissions are paused for a moment.", { exact: true }).waitFor({ timeout: 10_000 });
    await fan.screenshot({ path: `${resultsDir}queue-paused-phone.png`, fullPage: true });

    // The organizer's figures count the waiting fan; resuming lets them in, live.
    await organizer.locator('[data-figure="waiting"]', { hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    await organizer.screenshot({ path: `${resultsDir}organizer-controls.png`, fullPage: true });
    await organizer.getByRole("button", { name: "Resume admissions" }).click();
    await organizer.locator('[data-admissions="running"]').waitFor({ timeout: 10_000 });
    await fan.locator('[data-queue-state="ADMITTED"]').waitFor({ timeout: 30_000 });
    await fan.locator("[data-admitted-remaining-ms]").waitFor({ timeout: 10_000 });
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    await organizer
      .screenshot({ path: `${resultsDir}organizer-failure.png`, fullPage: true })
      .catch(() => {});
    await fan.screenshot({ path: `${resultsDir}queue-pow-failure.png`, fullPage: true }).catch(() => {});
    printServerOutput();
    throw error;
  } finally {
    await organizerContext.close().catch(() => {});
    await fanContext.close().catch(() => {});
  }
});
