import { createCustomer } from '../helpers/factory';
import { startTestApp, type TestApp } from '../helpers/app';
import { withScratchDatabase } from '../helpers/databases';
import { waitFor } from '../helpers/receiver';
import { appendEvents } from '../../src/events/outbox';
import { EventType } from '../../src/events/event-types';
import { pruneOutbox } from '../../src/events/outbox-prune';

const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`;

/** Seqs of the outbox rows still there among `seqs`, and how many deliveries each has left. */
async function remaining(app: TestApp, seqs: string[]): Promise<Record<string, number>> {
  const { rows } = await app.pool.query(
    `SELECT e.seq::text AS seq, count(d.id)::int AS deliveries FROM outbox_events e LEFT JOIN webhook_deliveries d ON d.event_seq = e.seq
      WHERE e.seq = ANY($1::bigint[]) GROUP BY e.seq ORDER BY e.seq`,
    [seqs],
  );
  return Object.fromEntries(rows.map((r) => [r.seq, r.deliveries]));
}

describe('outbox pruning', () => {
  it('removes old events no webhook still owes, with their finished deliveries, a bounded batch at a time, periodically', async () => {
    // A database of its own: the job deletes by age across the whole table.
    await withScratchDatabase(async (url) => {
      const app = await startTestApp({ url });
      let pruning: TestApp | undefined;
      try {
        const hook = await app.gql(REGISTER, { input: { url: 'http://127.0.0.1:9/receiver', events: ['TIER_CHANGED'] } }, ['admin']);
        expect(hook.errors).toBeUndefined();
        const customerId = (await createCustomer(app.pool)).id;
        // Six events, each fanned out to the webhook (no worker runs: every delivery is PENDING).
        await appendEvents(app.pool, Array.from({ length: 6 }, (_, k) => ({ type: EventType.TIER_CHANGED, customerId, data: { customerId, tier: k % 2 ? 'GOLD' : 'SILVER', previousTier: 'NONE' } })));
        const { rows } = await app.pool.query(`SELECT seq::text AS seq FROM outbox_events WHERE customer_id = $1 ORDER BY seq`, [customerId]);
        const seqs = rows.map((r) => r.seq as string);
        expect(seqs).toHaveLength(6);
        // 1-4 are 30 days old, 5-6 recent; 1-3 and 5-6 were delivered (or failed for good), 4 is still owed.
        await app.pool.query(`UPDATE outbox_events SET occurred_at = now() - interval '30 days' WHERE seq = ANY($1::bigint[])`, [seqs.slice(0, 4)]);
        await app.pool.query(`UPDATE webhook_deliveries SET state = CASE WHEN event_seq = $2 THEN 'FAILED' ELSE 'DELIVERED' END, delivered_at = now()
                               WHERE event_seq = ANY($1::bigint[])`, [[...seqs.slice(0, 3), ...seqs.slice(4)], seqs[2]]);
        expect(await remaining(app, seqs)).toEqual(Object.fromEntries(seqs.map((s) => [s, 1])));

        // One statement removes at most a batch, the oldest first.
        expect(await pruneOutbox(app.pool, { retentionHours: 48, batchSize: 2 })).toBe(2);
        expect(await remaining(app, seqs)).toEqual({ [seqs[2]]: 1, [seqs[3]]: 1, [seqs[4]]: 1, [seqs[5]]: 1 });

        // The periodic job (as main.ts runs it) takes the rest that may go: never an owed or recent event.
        pruning = await startTestApp({ url, outboxPrune: { retentionHours: 48, intervalMs: 100, batchSize: 2 } });
        await waitFor(async () => !(seqs[2] in (await remaining(app, seqs))), 10_000, 'the periodic job to prune');
        expect(await remaining(app, seqs)).toEqual({ [seqs[3]]: 1, [seqs[4]]: 1, [seqs[5]]: 1 });
        const { rows: owed } = await app.pool.query(`SELECT state FROM webhook_deliveries WHERE event_seq = $1`, [seqs[3]]);
        expect(owed).toEqual([{ state: 'PENDING' }]);
      } finally {
        await pruning?.close();
        await app.close();
      }
    });
  });
});
