// The site header as a browser draws it, for the layout checks of the end-to-end tests.

/**
 * What is wrong with the header at the page's current width: pairs of its links and buttons drawn over
 * each other, main links cut off by the header's width, and a page wider than the window. Empty: it fits.
 */
export function headerProblems(page) {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll("header a, header button")]
      .map((element) => [element.textContent.trim(), element.getBoundingClientRect()])
      .filter(([, box]) => box.width > 1 && box.height > 1);
    const overlap = (a, b) =>
      a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const problems = boxes.flatMap(([name, box], index) =>
      boxes
        .slice(index + 1)
        .flatMap(([other, otherBox]) => (overlap(box, otherBox) ? [`${name} over ${other}`] : [])),
    );
    const nav = document.querySelector("header nav");
    if (nav && nav.scrollWidth > nav.clientWidth + 1) {
      problems.push(`the main links need ${nav.scrollWidth}px and have ${nav.clientWidth}px`);
    }
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 0) problems.push(`the page is ${overflow}px wider than the window`);
    return problems;
  });
}
