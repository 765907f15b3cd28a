import type { EventBus, StoredEvent } from './event-bus';

/**
 * What a subscription resolver gets in its context (`ctx.live`): a stream of committed events
 * that pass `accept` (cheap, synchronous: only those are buffered), each turned into the
 * subscriber's payload by `read` (through the normal read path, with the subscriber's rights;
 * null skips it). `read` gets the loaders to read with: those of the event's batch, shared by
 * every event read back with it, so their loads of one batch are one statement per kind. The
 * live server executes the document on each payload and sends it (src/events/live-server.ts);
 * the resolver only returns the stream.
 */
export interface LiveHandle<L = unknown> {
  stream<T>(accept: (event: StoredEvent) => boolean, read: (event: StoredEvent, loaders: L) => Promise<T | null>): AsyncIterable<T>;
}

/** One accepted event on its way to the socket: its message once prepared (null: nothing to send). */
interface Pending {
  settled: boolean;
  message: string | null;
  error?: unknown;
}

/**
 * The events of one WebSocket connection. Each subscription prepares a message per accepted
 * event as soon as it arrives (reads and executions of one event are shared by subscribers,
 * so they run concurrently, not one after another) and sends them in commit order. Accepted
 * but unsent events count against `maxBuffered` over the connection; past it `overflow` is
 * called (the server closes the connection: the client is too slow). Closing ends every stream.
 */
export class LiveFeed {
  private buffered = 0;
  private closed = false;
  private readonly streams = new Set<(error?: unknown) => void>();
  /** Preparations started and not settled: shutdown waits for them before the pool closes. */
  private readonly preparing = new Set<Promise<unknown>>();

  constructor(
    private readonly bus: EventBus,
    private readonly maxBuffered: number,
    private readonly overflow: () => void,
  ) {}

  get size(): number {
    return this.buffered;
  }

  close(): void {
    this.closed = true;
    for (const end of [...this.streams]) end();
  }

  /** Resolves when every preparation already started has settled (their messages are dropped once closed). */
  async settled(): Promise<void> {
    while (this.preparing.size > 0) await Promise.allSettled([...this.preparing]);
  }

  /**
   * Sends `prepare(event)` with `send` for each accepted event, in commit order. The iterable
   * yields nothing: it ends when the subscription ends, and throws if a preparation failed
   * (graphql-ws then answers the subscription with an error).
   * `prepare` may return the message at once (string, or null for none) or a promise of it.
   * Usage: `return feed.deliver((e) => e.type === 'X', async (e) => JSON.stringify(...), (m) => socket.send(m))`
   */
  deliver(
    accept: (event: StoredEvent) => boolean,
    prepare: (event: StoredEvent) => string | null | Promise<string | null>,
    send: (message: string) => void,
  ): AsyncIterable<never> {
    const feed = this;
    const queue: Pending[] = [];
    let ended = this.closed;
    let failure: unknown;
    let finish: (() => void) | null = null;
    const flush = () => {
      while (!ended && queue.length > 0 && queue[0].settled) {
        const head = queue.shift()!;
        feed.buffered--;
        if (head.error !== undefined) return end(head.error);
        if (head.message !== null) send(head.message);
      }
    };
    const off = this.bus.listen((events) => {
      if (ended) return;
      let added = 0;
      for (const e of events) {
        if (!accept(e)) continue;
        added++;
        let prepared: string | null | Promise<string | null>;
        try {
          prepared = prepare(e);
        } catch (error) {
          prepared = Promise.reject(error);
        }
        // Made already (another subscriber with the same answer came first): no promise for this one.
        if (typeof prepared === 'string' || prepared === null) {
          queue.push({ settled: true, message: prepared });
          continue;
        }
        const pending: Pending = { settled: false, message: null };
        const done = prepared.then(
          (message) => {
            pending.message = message;
          },
          (error: unknown) => {
            pending.error = error ?? new Error('a live payload could not be prepared');
          },
        ).finally(() => {
          pending.settled = true;
          feed.preparing.delete(done);
          flush();
        });
        feed.preparing.add(done);
        queue.push(pending);
      }
      if (added === 0) return;
      feed.buffered += added;
      if (feed.buffered > feed.maxBuffered) return feed.overflow();
      flush();
    });
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      failure = error;
      off();
      feed.buffered -= queue.length;
      queue.length = 0;
      feed.streams.delete(end);
      finish?.();
    };
    this.streams.add(end);
    const over = new Promise<void>((resolve) => {
      finish = resolve;
      if (ended) resolve();
    });
    return {
      [Symbol.asyncIterator](): AsyncIterator<never> {
        return {
          async next(): Promise<IteratorResult<never>> {
            await over;
            if (failure !== undefined) throw failure;
            return { done: true, value: undefined };
          },
          async return(): Promise<IteratorResult<never>> {
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
 * Usage: `await sharedRead(event, 'queue-item', () => loaders.queueItemById.load(id))`
 */
export function sharedRead<T>(event: StoredEvent, key: string, read: () => Promise<T>): Promise<T> {
  let reads = sharedReads.get(event);
  if (!reads) sharedReads.set(event, (reads = new Map()));
  let found = reads.get(key) as Promise<T> | undefined;
  if (!found) reads.set(key, (found = read()));
  return found;
}
