import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../logger';

/** A PostgreSQL WAL position (`16/B374D848`) as a number that compares. */
export function parseLsn(text: string | null | undefined): bigint | null {
  if (!text) return null;
  const match = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text);
  return match ? (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`) : null;
}

export interface ReplicaStatus {
  /** `replica-1`, `replica-2`, ... in DATABASE_REPLICA_URLS order (URLs carry passwords; names do not). */
  name: string;
  /** host:port/database of the replica. */
  server: string;
  reachable: boolean;
  /** Age of the oldest primary WAL position (as sampled here) the replica has not replayed yet; 0 = caught up; null while unknown. */
  lagMs: number | null;
  /** Last WAL position the replica has replayed. */
  replayLsn: string | null;
  /** Serves reads now: reachable, a standby, and within REPLICA_MAX_LAG_MS. */
  usable: boolean;
  error?: string;
}

export interface ReplicaSetOptions {
  primary: Pool;
  urls: readonly string[];
  /** A replica further behind is skipped. */
  maxLagMs: number;
  /** Longest a subject's reads stay on the primary after its mutation. */
  stickinessMs: number;
  poolSize: number;
  logger: Logger;
  /** How often the primary's WAL position and each replica's replay position are read (default 500 ms). */
  checkIntervalMs?: number;
  applicationName?: string;
  /** Told of each write noted here (main.ts relays it to the other worker processes). */
  onWrite?: (subject: string, lsn: string | null, until: number) => void;
}

/** Where one request's statements go. */
export interface ReadTarget {
  name: 'primary' | string;
  pool: Pool;
}

interface Replica {
  name: string;
  server: string;
  pool: Pool;
  /** One connection of its own for the health check, so checks never queue behind reads. */
  probe: Pool;
  reachable: boolean;
  replayLsn: bigint | null;
  lagMs: number | null;
  error?: string;
  /** A failed statement took it out until this time (the next check may bring it back sooner). */
  downUntil: number;
}

/** Samples of the primary's WAL position, newest last: a replica's lag is the age of the newest sample it has replayed. */
interface WalSample {
  lsn: bigint;
  at: number;
}

const MAX_SAMPLES = 2_000;

/**
 * The read replicas of one process: their pools, a health check every checkIntervalMs, and the
 * read-your-writes bookkeeping. Lag is measured against the primary (its `pg_current_wal_lsn()`
 * sampled by this process), not the replica's replay timestamp, so an idle primary does not
 * look like lag and a replica cut off from its primary does not look current.
 * Usage: `const replicas = await ReplicaSet.start({...}); replicas.choose(subject)` per query request.
 */
export class ReplicaSet {
  private readonly replicas: Replica[];
  private readonly samples: WalSample[] = [];
  /** Subject -> the WAL position its last mutation left, and when stickiness ends. */
  private readonly sticky = new Map<string, { lsn: bigint | null; until: number }>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private checking: Promise<void> | undefined;
  private relay: ReplicaSetOptions['onWrite'];

  private constructor(private readonly options: ReplicaSetOptions) {
    this.relay = options.onWrite;
    this.replicas = options.urls.map((url, i) => {
      const parsed = new URL(url);
      const config: PoolConfig = {
        connectionString: url,
        max: options.poolSize,
        connectionTimeoutMillis: 2_000,
        idleTimeoutMillis: 30_000,
        application_name: options.applicationName ?? 'social-crm',
      };
      const pool = new Pool(config);
      pool.on('error', (error) => options.logger.warn({ err: error, replica: `replica-${i + 1}` }, 'idle replica connection lost'));
      const probe = new Pool({ ...config, max: 1, application_name: `${config.application_name}-replica-check` });
      probe.on('error', () => undefined);
      return {
        probe,
        name: `replica-${i + 1}`,
        server: `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`,
        pool,
        reachable: false,
        replayLsn: null,
        lagMs: null,
        downUntil: 0,
      };
    });
  }

  static async start(options: ReplicaSetOptions): Promise<ReplicaSet> {
    const set = new ReplicaSet(options);
    await set.check();
    for (const status of set.status()) {
      options.logger.info({ replica: status.name, server: status.server, reachable: status.reachable, lagMs: status.lagMs, error: status.error }, 'read replica');
    }
    set.timer = setInterval(() => void set.check(), options.checkIntervalMs ?? 500);
    set.timer.unref();
    return set;
  }

  get pools(): Pool[] {
    return this.replicas.map((r) => r.pool);
  }

  get primary(): ReadTarget {
    return { name: 'primary', pool: this.options.primary };
  }

  /**
   * The server for one query request of `subject`: a usable replica in turn, or the primary
   * when none is usable or the subject wrote something no usable replica has replayed yet
   * (and its stickiness window is still open).
   */
  choose(subject: string | undefined): ReadTarget {
    const now = Date.now();
    let needs: bigint | null | undefined;
    if (subject !== undefined) {
      const mark = this.sticky.get(subject);
      if (mark && mark.until > now) needs = mark.lsn;
      else if (mark) this.sticky.delete(subject);
    }
    const usable = this.replicas.filter((r) => this.isUsable(r, now) && (needs === undefined || (needs !== null && r.replayLsn !== null && r.replayLsn >= needs)));
    if (usable.length === 0) return this.primary;
    const replica = usable[this.next++ % usable.length];
    return { name: replica.name, pool: replica.pool };
  }

  /** After `subject`'s mutation: its reads need a replica that replayed `lsn` (unknown lsn: the primary) until the window ends. */
  noteWrite(subject: string, lsn: string | null, until = Date.now() + this.options.stickinessMs, relay = true): void {
    if (this.options.stickinessMs <= 0) return;
    this.sticky.set(subject, { lsn: parseLsn(lsn), until });
    if (this.sticky.size > 100_000) {
      const now = Date.now();
      for (const [key, mark] of this.sticky) if (mark.until <= now) this.sticky.delete(key);
    }
    if (relay) this.relay?.(subject, lsn, until);
  }

  /** Tells `fn` of every write noted here (not of those noted with relay = false, which came from it). */
  relayWrites(fn: NonNullable<ReplicaSetOptions['onWrite']>): void {
    this.relay = fn;
  }

  /** A statement on `name` failed as if the server were gone: skip it until the next check finds it well. */
  markDown(name: string, error: unknown): void {
    const replica = this.replicas.find((r) => r.name === name);
    if (!replica) return;
    if (replica.reachable) this.options.logger.warn({ replica: name, err: error }, 'read replica failed: reading from the primary');
    replica.reachable = false;
    replica.error = error instanceof Error ? error.message : String(error);
    replica.downUntil = Date.now() + (this.options.checkIntervalMs ?? 500);
  }

  status(): ReplicaStatus[] {
    const now = Date.now();
    return this.replicas.map((r) => ({
      name: r.name,
      server: r.server,
      reachable: r.reachable,
      lagMs: r.lagMs,
      replayLsn: r.replayLsn === null ? null : formatLsn(r.replayLsn),
      usable: this.isUsable(r, now),
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  /** Reads the primary's WAL position, then each replica's replayed position; one round at a time. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
    await Promise.all(this.replicas.flatMap((r) => [r.pool.end().catch(() => undefined), r.probe.end().catch(() => undefined)]));
  }

  private isUsable(r: Replica, now: number): boolean {
    return r.reachable && r.downUntil <= now && r.lagMs !== null && r.lagMs <= this.options.maxLagMs;
  }

  private async checkOnce(): Promise<void> {
    try {
      const { rows } = await this.options.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const lsn = parseLsn(rows[0].lsn);
      if (lsn !== null) {
        this.samples.push({ lsn, at: Date.now() });
        if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
      }
    } catch {
      // The primary is not answering: replicas keep their last lag (requests fail on their own).
    }
    await Promise.all(this.replicas.map((r) => this.checkReplica(r)));
  }

  private async checkReplica(r: Replica): Promise<void> {
    try {
      const { rows } = await r.probe.query<{ standby: boolean; replay: string | null }>(
        'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay',
      );
      if (!rows[0].standby) throw new Error('not a standby (pg_is_in_recovery() is false)');
      const replay = parseLsn(rows[0].replay);
      r.replayLsn = replay;
      r.lagMs = this.lagOf(replay);
      if (!r.reachable) this.options.logger.info({ replica: r.name, lagMs: r.lagMs }, 'read replica reachable');
      r.reachable = true;
      r.error = undefined;
      r.downUntil = 0;
    } catch (error) {
      if (r.reachable) this.options.logger.warn({ replica: r.name, err: error }, 'read replica unreachable: reading from the primary');
      r.reachable = false;
      r.lagMs = null;
      r.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Age of the newest primary sample the replica has replayed (0 when it has the latest one). */
  private lagOf(replay: bigint | null): number | null {
    if (replay === null || this.samples.length === 0) return null;
    const now = Date.now();
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (this.samples[i].lsn <= replay) return i === this.samples.length - 1 ? 0 : now - this.samples[i + 1].at;
    }
    return now - this.samples[0].at;
  }
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
