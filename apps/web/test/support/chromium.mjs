// The Chromium the end-to-end tests drive (playwright-core never downloads one): Debian's by default.
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
