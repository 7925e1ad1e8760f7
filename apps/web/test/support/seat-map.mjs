// The live seat map as the browser tests see it: where a seat is drawn, what its tooltip says, and
// how many seats it shows held (the canvas's data attributes, README "Seat map").

/** Where a seat is on screen, from the layout coordinates and the canvas's current view transform. */
export async function seatOnScreen(canvas, seat) {
  const [scale, offsetX, offsetY] = (await canvas.getAttribute("data-view-transform")).split(" ").map(Number);
  const box = await canvas.boundingBox();
  return { x: box.x + seat.x * scale + offsetX, y: box.y + seat.y * scale + offsetY };
}

export async function heldCount(canvas) {
  return Number(await canvas.getAttribute("data-held-count"));
}

/**
 * Starts watching the page's map for `expected` held seats; the returned promise gives the time (ms since the
 * epoch, this machine's clock) at which the map showed them. Event-driven (a MutationObserver), because timers
 * in a page that is not in front may be throttled, which would make polling late.
 */
export async function watchHeldCount(page, expected) {
  const armed = page.evaluate((count) => {
    const canvas = document.querySelector('canvas[data-rendered="true"]');
    const shows = () => canvas?.dataset.heldCount === String(count);
    return new Promise((resolve, reject) => {
      if (!canvas) return reject(new Error("no seat map on the page"));
      if (shows()) return resolve(Date.now());
      const observer = new MutationObserver(() => {
        if (!shows()) return;
        observer.disconnect();
        resolve(Date.now());
      });
      observer.observe(canvas, { attributes: true, attributeFilter: ["data-held-count"] });
      setTimeout(() => {
        observer.disconnect();
        reject(new Error(`the map still shows ${canvas.dataset.heldCount} held seats, expected ${count}`));
      }, 15_000);
    });
  }, expected);
  // Keeps a rejection from going unhandled before the test awaits it.
  armed.catch(() => {});
  return armed;
}

/** Hovers a seat and returns what its tooltip says; it ends with the seat's status. */
export async function seatTooltip(page, canvas, seat) {
  const point = await seatOnScreen(canvas, seat);
  await page.mouse.move(point.x, point.y);
  const tooltip = page.getByRole("tooltip");
  await tooltip.waitFor({ timeout: 5_000 });
  return tooltip.textContent();
}
