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

/** Counters for /metrics and tests: calls run and slices (turns of the event loop) they took. */
export const fanOutStats = { calls: 0, slices: 0 };

export function later<A>(call: (arg: A) => void, arg: A): void {
  calls.push(call);
  args.push(arg);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runSlice);
  }
}

function runSlice(): void {
  fanOutStats.slices++;
  const end = Math.min(calls.length, head + FAN_OUT_SLICE);
  try {
    while (head < end) {
      const call = calls[head];
      const arg = args[head];
      calls[head] = undefined as never;
      args[head] = undefined;
      head++;
      fanOutStats.calls++;
      call(arg);
    }
  } finally {
    // The next slice is queued even if a call threw, so the calls behind it still run.
    if (head < calls.length) setImmediate(runSlice);
    else {
      calls.length = 0;
      args.length = 0;
      head = 0;
      scheduled = false;
    }
  }
}
