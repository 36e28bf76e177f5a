/**
 * Pages rendered ahead of the request that will ask for them, by key. Bounded in count and age: an
 * entry nobody takes (a client that stopped paging) is dropped after `ttlMs` or when `max` newer
 * ones arrive. Taking an entry removes it, so each is served at most once.
 */
export class ReadAhead<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(private readonly max: number, private readonly ttlMs: number) {}

  has(key: string): boolean {
    this.expire();
    return this.entries.has(key);
  }

  put(key: string, value: Promise<T>): void {
    this.expire();
    // A failed read-ahead is simply not there; the request reads again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.entries.set(key, { value, at: Date.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  take(key: string): Promise<T> | undefined {
    this.expire();
    const e = this.entries.get(key);
    this.entries.delete(key);
    return e?.value;
  }

  private expire(): void {
    const oldest = Date.now() - this.ttlMs;
    for (const [key, e] of this.entries) {
      if (e.at >= oldest) break; // insertion order is age order
      this.entries.delete(key);
    }
  }
}
