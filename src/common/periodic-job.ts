/**
 * Work run every `intervalMs` in this process, never two runs at once (a slow run makes the next
 * tick skip); stop() clears the timer, tells a run in progress (`stopping`) and waits for it. The
 * timer does not keep the process alive. `run` handles its own errors (a rejection is swallowed
 * so the timer lives on).
 * Usage: `class Sweep extends PeriodicJob { async run() { ... } }; const s = new Sweep(30_000); s.start(); ... await s.stop()`
 */
export abstract class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly intervalMs: number) {}

  /** One run. */
  abstract run(): Promise<unknown>;

  /** True once stop() was called: a run working through batches ends early. */
  protected get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => {
      this.running ??= this.run().then(() => undefined, () => undefined).finally(() => {
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
