import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import type { ReplicaSet, ReplicaStatus } from '../db';

export interface Readiness {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  /** Migrations this code knows that the database has not applied yet. */
  pendingMigrations: string[];
  /**
   * Each read replica (only with DATABASE_REPLICA_URLS): reachable, lag, usable. A replica that is
   * down or behind does not make the instance unready: its reads go to the primary.
   */
  replicas?: ReplicaStatus[];
}

/**
 * Ready = the database answers and every migration this code knows is applied. Migrations the
 * database has but this code does not (a newer release ran them) do not make it unready, so
 * old instances keep serving during a rolling deploy.
 */
export async function checkReadiness(dataSource: DataSource): Promise<Readiness> {
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  let applied: Set<string>;
  try {
    const rows: { name: string }[] = await dataSource.query(`SELECT name FROM migrations`);
    applied = new Set(rows.map((r) => r.name));
  } catch (error) {
    // No migrations table yet: reachable but nothing applied.
    if ((error as { code?: string }).code === '42P01') return { ready: false, database: 'reachable', pendingMigrations: known };
    return { ready: false, database: 'unreachable', pendingMigrations: [] };
  }
  const pendingMigrations = known.filter((name) => !applied.has(name));
  return { ready: pendingMigrations.length === 0, database: 'reachable', pendingMigrations };
}

/** `/healthz`: the process is up and serving HTTP; no dependency is checked (restarting would not help them). */
export function healthz(_req: Request, res: Response): void {
  res.json({ status: 'ok' });
}

/** `/readyz`: 200 when ready for traffic, 503 with the reason otherwise. */
export function readyz(dataSource: DataSource, replicas?: ReplicaSet) {
  return async (_req: Request, res: Response) => {
    const readiness = await checkReadiness(dataSource);
    if (replicas) readiness.replicas = replicas.status();
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.ready ? 'ready' : 'not ready', ...readiness });
  };
}
