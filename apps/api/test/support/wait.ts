import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 25;

/**
 * Polls `check` until it gives something other than undefined or false, and returns that; fails the test
 * with "Timed out waiting for <what>" after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}
