import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEFAULT_DENIAL_BOUND } from '../../src/audit/audit-log';
import { startTestApp, tokenFor, type TestApp } from '../helpers/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const REFUSED = '{ auditLog(first: 1) { totalCount } }';
const refused = (sub: string) =>
  request(app.server).post('/graphql').set('authorization', `Bearer ${tokenFor(['viewer'], sub)}`).send({ query: REFUSED });

/** The subject's audit entries and its counted attempts, window by window. */
async function recorded(sub: string) {
  const { rows: entries } = await app.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor = $1 AND action = 'ACCESS_DENIED'`, [sub]);
  const { rows: windows } = await app.pool.query<{ attempts: number }>(`SELECT attempts FROM audit_denial_windows WHERE actor = $1 ORDER BY window_start`, [sub]);
  return { entries: entries[0].n, windows: windows.map((w) => w.attempts) };
}

async function countedOnMetrics(): Promise<number> {
  const text = (await request(app.server).get('/metrics')).text;
  return Number(/^social_crm_audit_access_denied_total\{outcome="counted"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe('ACCESS_DENIED entries, bounded per subject and window', () => {
  it('writes at most the bound per subject and window, counts every attempt, and still answers each FORBIDDEN', async () => {
    const sub = `hammer-${randomUUID()}`;
    const attempts = DEFAULT_DENIAL_BOUND.perWindow + 15;
    const countedBefore = await countedOnMetrics();
    for (let i = 0; i < attempts; i++) {
      const res = await refused(sub);
      expect(res.body.errors?.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
    }
    const { entries, windows } = await recorded(sub);
    // Counted, not lost: every attempt is in a window (usually one; two if a minute turned).
    expect(windows.reduce((a, b) => a + b, 0)).toBe(attempts);
    expect(windows.length).toBeLessThanOrEqual(2);
    const bounded = windows.map((n) => Math.min(n, DEFAULT_DENIAL_BOUND.perWindow));
    const over = windows.map((n) => Math.max(0, n - DEFAULT_DENIAL_BOUND.perWindow));
    expect(entries).toBe(bounded.reduce((a, b) => a + b, 0));
    expect(entries).toBeLessThan(attempts);
    expect((await countedOnMetrics()) - countedBefore).toBe(over.reduce((a, b) => a + b, 0));
  });

  it('bounds each subject on its own: another token is still audited', async () => {
    const noisy = `noisy-${randomUUID()}`;
    for (let i = 0; i < DEFAULT_DENIAL_BOUND.perWindow + 2; i++) await refused(noisy);
    const quiet = `quiet-${randomUUID()}`;
    await refused(quiet);
    expect(await recorded(quiet)).toEqual({ entries: 1, windows: [1] });
    const { rows } = await app.pool.query(
      `SELECT actor, actor_roles AS "actorRoles", subject, details FROM audit_log WHERE actor = $1 AND action = 'ACCESS_DENIED'`, [quiet],
    );
    expect(rows).toEqual([{ actor: quiet, actorRoles: ['viewer'], subject: 'Query.auditLog', details: { required: ['admin'], held: ['viewer'] } }]);
  });
});
