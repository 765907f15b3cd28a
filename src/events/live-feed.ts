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

/** How `prepare` hands over an event's message (null: nothing to send), or the error that ends the subscription. */
type Settle = (message: string | null, error?: unknown) => void;

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
  private preparing = 0;
  private readonly whenSettled: (() => void)[] = [];

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
    while (this.preparing > 0) await new Promise<void>((resolve) => this.whenSettled.push(resolve));
  }

  private prepared(): void {
    if (--this.preparing > 0) return;
    for (const resolve of this.whenSettled.splice(0)) resolve();
  }

  /**
   * Sends `prepare(event)` with `send` for each accepted event, in commit order. The iterable
   * yields nothing: it ends when the subscription ends, and throws if a preparation failed
   * (graphql-ws then answers the subscription with an error).
   * `prepare` calls `settle` once with the message (string, or null for none), at once or later:
   * a callback, not a promise, because 200 subscribers of an event would be 200 promises each.
   * Usage: `return feed.deliver((e) => e.type === 'X', (e, settle) => settle(JSON.stringify(...)), (m) => socket.send(m))`
   */
  deliver(
    accept: (event: StoredEvent) => boolean,
    prepare: (event: StoredEvent, settle: Settle) => void,
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
        const pending: Pending = { settled: false, message: null };
        queue.push(pending);
        feed.preparing++;
        const settle: Settle = (message, error) => {
          if (pending.settled) return;
          pending.settled = true;
          pending.message = message;
          if (error !== undefined) pending.error = error;
          feed.prepared();
          flush();
        };
        try {
          prepare(e, settle);
        } catch (error) {
          settle(null, error ?? new Error('a live payload could not be prepared'));
        }
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
