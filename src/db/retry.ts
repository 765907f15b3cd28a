/** PostgreSQL errors after which a whole transaction can simply run again: deadlock, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs a transaction again (up to `attempts` times in all) when PostgreSQL aborted it for a
 * deadlock or a serialization failure, or when `retryIf` says so.
 * Usage: `await withRetry(() => dataSource.transaction((m) => work(m)))`
 */
export async function withRetry<T>(run: () => Promise<T>, options: { attempts?: number; retryIf?: (error: unknown) => boolean } = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const retry = (typeof code === 'string' && RETRYABLE.has(code)) || (options.retryIf?.(error) ?? false);
      if (!retry || attempt >= attempts) throw error;
    }
  }
}
