// End-to-end: the waiting room in the browser. A small venue's event is switched to use the waiting room with its
// sale a few seconds ahead and a slow admission rate; two fans join the pre-queue before the sale, the draw orders
// them when it opens, one is let in while the other sees their position, then the other, and both hold seats with
// their admission tokens. Finally the draw's audit page shows the commitment and the revealed seed.
// Needs `pnpm build` at the root first, Postgres and Redis running, psql and /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import { graphqlRequest, logInThroughUi, resultsDir, startE2EStack } from "./support/stack.mjs";

const stack = startE2EStack();

// Long enough for both fans to open the page and join before the sale opens on a loaded machine.
const SALE_OPENS_IN_SECONDS = 25;
// One fan every 10 s: the second fan has to wait, visibly, while the first shops.
const ADMISSIONS_PER_MINUTE = 6;

const FANS = [
  { email: "fan@frontrow.test", password: "fan-password-1" },
  { email: "fan2@frontrow.test", password: "fan-password-2" },
];

/** An on-sale event in the smallest venue: the theatre, switched below to sell through the waiting room. */
async function findSmallEvent(apiUrl) {
  const data = await graphqlRequest(
    apiUrl,
    `query QueueE2EEvents {
      events(first: 100, filter: { onSale: true }) {
        edges { node { id name queueEnabled venue { capacity } } }
      }
    }`,
  );
  const candidates = data.events.edges.map(({ node }) => node).filter((event) => !event.queueEnabled);
  candidates.sort((a, b) => a.venue.capacity - b.venue.capacity);
  assert.ok(candidates[0], "the seeded database has no on-sale event without a waiting room");
  return candidates[0];
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
  const event = await findSmallEvent(stack.apiUrl);
  const eventPath = `/events/${event.id}`;
  mkdirSync(resultsDir, { recursive: true });

  const browser = await stack.launchBrowser();
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
    stack.sql(`UPDATE event SET queue_enabled = true, queue_paused = false, pow_difficulty = 0,
      admission_rate_per_minute = ${ADMISSIONS_PER_MINUTE}, max_active_shoppers = NULL,
      shopping_window_seconds = 600, sale_starts_at = now() + interval '${SALE_OPENS_IN_SECONDS} seconds'
      WHERE id = ${Number(event.id)}`);
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
    await auditPage.screenshot({ path: `${resultsDir}queue-audit.png`, fullPage: true });
    assert.deepEqual(pageErrors, [], "the pages threw no errors");
  } catch (error) {
    for (const [index, page] of pages.entries())
      await page
        .screenshot({ path: `${resultsDir}queue-failure-${index}.png`, fullPage: true })
        .catch(() => {});
    console.log(stack.describeOutput());
    throw error;
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  }
});
