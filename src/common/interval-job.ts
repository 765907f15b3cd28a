/**
 * A periodic job of this process: `run` every `intervalMs`, never two runs at once (a tick while
 * one is running is skipped), the timer unref'd so it never holds the process open, and `stop`
 * waits for the run in flight. The jobs that use it (outbox pruning, the PROFILING expiry re-rank,
 * retention) keep their work idempotent or serialised in the database, so any number of
 * processes may run them.
 * Usage: `const timer = new IntervalJob(60_000, () => prune()); timer.start(); ... await timer.stop()`
 */
export class IntervalJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  /** True from stop() until the next start(): a long run checks it between its steps. */
  stopped = false;

  constructor(private readonly intervalMs: number, private readonly run: () => Promise<unknown>) {}

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => {
      this.running ??= this.run().finally(() => {
        this.running = null;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
