/**
 * A cache bounded both in entries and in bytes (as the caller weighs each entry), the least
 * recently used forgotten first. For caches keyed by text a client sent (documents,
 * variables): a bound on entries alone lets a few large keys hold any amount of memory.
 * Usage: `const docs = new BoundedMap<string, Doc>(1000, 16 << 20); docs.set(text, doc, 2 * text.length);`
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private held = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` under `key`, weighing `bytes`; one heavier than the whole budget is not kept. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes || this.maxEntries < 1) return;
    this.entries.set(key, { value, bytes });
    this.held += bytes;
    while (this.entries.size > this.maxEntries || this.held > this.maxBytes) this.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The bytes of the entries kept, as weighed by `set`. */
  get bytes(): number {
    return this.held;
  }
}
