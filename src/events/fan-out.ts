/**
 * Sends of live payloads, run in slices of at most `FAN_OUT_SLICE` calls, one slice per turn
 * of the event loop (setImmediate: after the turn's I/O). The answers of one batch of events go
 * to every subscriber: 16 events and 200 subscribers are 1,700 sends, and run in one go they
 * held the event loop for tens of milliseconds, so the HTTP requests and database replies of the
 * writes waiting behind them (the writes that made the events) waited as long, more with more
 * subscribers. In slices a write waits for one slice at most, whatever the number of subscribers.
 * Order is kept: calls run in the order they were queued.
 * Usage: `later(deliver, answer)` runs `deliver(answer)` in a coming slice.
 */
export const FAN_OUT_SLICE = 256;

const calls: ((arg: any) => void)[] = [];
const args: unknown[] = [];
let head = 0;
let scheduled = false;
/** Waiting for the queued sends (afterSends), and slices run since they were last called. */
const flushes: (() => void)[] = [];
let slicesSinceFlush = 0;

/**
 * Slices at most between two flushes while sends keep coming: the corked sockets (one write
 * per connection for all its frames, src/events/live-server.ts) are written at the latest
 * after this many slices, not only when the queue runs dry.
 */
const FLUSH_EVERY = 8;

/** Slices run so far (turns of the event loop the fan-out took; the tests read it). */
export const fanOutStats = { slices: 0 };

export function later<A>(call: (arg: A) => void, arg: A): void {
  calls.push(call);
  args.push(arg);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runSlice);
  }
}

/**
 * Runs `flush` once the sends queued now have run (in the next turn when none are queued), or
 * after FLUSH_EVERY slices if more keep coming. The live server uncorks its sockets here, so a
 * connection gets one socket write for the frames of a whole fan-out, not one per slice.
 * Usage: `afterSends(uncorkAll)`
 */
export function afterSends(flush: () => void): void {
  if (scheduled) flushes.push(flush);
  else setImmediate(flush);
}

function runSlice(): void {
  fanOutStats.slices++;
  const end = Math.min(calls.length, head + FAN_OUT_SLICE);
  while (head < end) {
    const call = calls[head];
    const arg = args[head];
    calls[head] = undefined as never;
    args[head] = undefined;
    head++;
    call(arg);
  }
  const more = head < calls.length;
  if (!more || ++slicesSinceFlush >= FLUSH_EVERY) {
    slicesSinceFlush = 0;
    for (const flush of flushes.splice(0)) flush();
  }
  if (more) {
    // Under a steady stream the queue may never run dry: drop the calls already run now and then.
    if (head >= 16 * FAN_OUT_SLICE) {
      calls.splice(0, head);
      args.splice(0, head);
      head = 0;
    }
    setImmediate(runSlice);
    return;
  }
  calls.length = 0;
  args.length = 0;
  head = 0;
  scheduled = false;
}
