/**
 * A small in-process cache of promises: concurrent callers for one key share a single load (no
 * thundering herd when thousands of fans open the same event at once), failures are not cached.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    const value = load();
    if (this.entries.size >= this.maxEntries) this.evictExpired(now);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    this.forgetOnFailure(key, value);
    return value;
  }

  /** The live entry for `key`, without loading it. */
  peek(key: K): Promise<V> | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  /** Replaces a live entry's value and keeps its expiry; does nothing when there is no live entry. */
  replace(key: K, value: Promise<V>): void {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= Date.now()) return;
    entry.value = value;
    this.forgetOnFailure(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  private forgetOnFailure(key: K, value: Promise<V>): void {
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Still full of live entries: drop the oldest insertions rather than grow without bound.
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
