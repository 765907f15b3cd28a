import type { EventBus, StoredEvent } from './event-bus';

/**
 * What a subscription resolver gets in its context (`ctx.live`): a stream of committed events
 * that pass `accept` (cheap, synchronous: only those are buffered), each turned into the
 * subscriber's payload by `read` just before it is sent (through the normal read path, with
 * the subscriber's rights; null skips it). `fresh()` gives each payload new DataLoaders.
 */
export interface LiveHandle {
  stream<T>(accept: (event: StoredEvent) => boolean, read: (event: StoredEvent) => Promise<T | null>): AsyncIterable<T>;
}

/**
 * The events of one WebSocket connection: every subscription of it buffers what it accepted
 * until the client takes it; past `maxBuffered` events in all, `overflow` is called (the
 * server closes the connection: the client is too slow). Closing ends every stream.
 */
export class LiveFeed implements LiveHandle {
  private buffered = 0;
  private closed = false;
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly bus: EventBus,
    private readonly maxBuffered: number,
    private readonly overflow: () => void,
    private readonly beforeRead: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.buffered;
  }

  close(): void {
    this.closed = true;
    for (const end of [...this.streams]) end();
  }

  stream<T>(accept: (event: StoredEvent) => boolean, read: (event: StoredEvent) => Promise<T | null>): AsyncIterable<T> {
    const feed = this;
    const queue: StoredEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = this.closed;
    const off = this.bus.listen((events) => {
      if (ended) return;
      let added = 0;
      for (const e of events) {
        if (accept(e)) {
          queue.push(e);
          added++;
        }
      }
      if (added === 0) return;
      feed.buffered += added;
      if (feed.buffered > feed.maxBuffered) {
        feed.overflow();
        return;
      }
      wake?.();
    });
    const end = () => {
      ended = true;
      off();
      feed.buffered -= queue.length;
      queue.length = 0;
      feed.streams.delete(end);
      wake?.();
    };
    this.streams.add(end);
    return {
      [Symbol.asyncIterator](): AsyncIterator<T> {
        return {
          async next(): Promise<IteratorResult<T>> {
            for (;;) {
              if (ended) return { done: true, value: undefined };
              const event = queue.shift();
              if (!event) {
                await new Promise<void>((resolve) => {
                  wake = resolve;
                });
                wake = null;
                continue;
              }
              feed.buffered--;
              feed.beforeRead();
              const payload = await read(event);
              if (payload !== null) return { done: false, value: payload };
            }
          },
          async return(): Promise<IteratorResult<T>> {
            end();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }
}

const sharedReads = new WeakMap<StoredEvent, Map<string, Promise<unknown>>>();

/**
 * One read per event and key for all subscribers of this process (every listener gets the
 * same StoredEvent object): 200 subscribers of one change cost one row read, not 200. What a
 * subscriber may see is still decided per subscriber, when its document resolves the fields.
 * Usage: `await sharedRead(event, 'queue-item', () => careQueue.item(id))`
 */
export function sharedRead<T>(event: StoredEvent, key: string, read: () => Promise<T>): Promise<T> {
  let reads = sharedReads.get(event);
  if (!reads) sharedReads.set(event, (reads = new Map()));
  let found = reads.get(key) as Promise<T> | undefined;
  if (!found) reads.set(key, (found = read()));
  return found;
}
