// A tiny seeded pseudo-random generator, so the seed data is the same on every run and machine.
// Never Math.random here: a different map or schedule per run would make bugs unreproducible.

/** Returns floats in [0, 1). */
export type Random = () => number;

/** mulberry32: 32 bits of state, good enough spread for picking plausible values. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** 32-bit FNV-1a of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A generator seeded by a stable key (e.g. an event slug): adding or reordering entries in the
 * catalog leaves every other entry's random choices unchanged.
 */
export function randomFor(key: string): Random {
  return mulberry32(hashString(key));
}

export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick() needs at least one item");
  return item;
}
