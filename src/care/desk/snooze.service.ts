import type { DataSource } from 'typeorm';
import { withRetry } from '../../db';
import { checkId, DomainError, badInput } from '../../graphql';
import { appendHistory, INTERACTION_COLUMNS } from '../../interactions';
import type { Interaction } from '../../interactions';
import { held } from './queue-membership';

/** The longest wait on a customer: past it the item should be resolved, not hidden. */
export const MAX_SNOOZE_DAYS = 30;

/**
 * SQL: what is left of the snooze of row `alias` at now() (zero when none is running). The SLA
 * due time carries it while the snooze runs, so that it needs no write when the snooze runs
 * out; an early wake takes it back (ingest.service.ts, on the customer's next post).
 */
export const snoozeLeft = (alias: string) =>
  `CASE WHEN ${alias}.snoozed_until > now() THEN ${alias}.snoozed_until - now() ELSE interval '0' END`;

/**
 * Waiting on the customer: an item leaves the care queue (and the claim) until a time or the
 * customer's next post in the conversation, whichever comes first, and its SLA clock pauses
 * (the due time is pushed by the pause). docs/care.md, "Waiting on the customer".
 */
export class SnoozeService {
  constructor(private readonly dataSource: DataSource) {}

  /** Usage: `await snooze.snooze(interactionId, new Date(Date.now() + 86_400_000), 'alice')` -> the interaction, snoozedUntil set. */
  async snooze(rawId: string, until: Date, by: string): Promise<Interaction> {
    const interactionId = checkId(rawId, 'interactionId');
    if (Number.isNaN(until.getTime())) throw badInput('until', 'until is not a time');
    if (until.getTime() <= Date.now()) throw badInput('until', 'until must be in the future');
    if (until.getTime() > Date.now() + MAX_SNOOZE_DAYS * 86_400_000) throw badInput('until', `until may be at most ${MAX_SNOOZE_DAYS} days ahead`);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      // The row lock orders a snooze and a claim of the same item: the claim skips a locked row,
      // and a snooze that waited for a claim sees its hold below.
      const rows: { customerId: string; direction: string; status: string; heldBy: string | null }[] = await m.query(
        `SELECT i.customer_id AS "customerId", i.direction, i.status, CASE WHEN ${held('i')} THEN i.assigned_to END AS "heldBy"
           FROM interactions i WHERE i.id = $1 FOR UPDATE`, [interactionId]);
      if (rows.length === 0) throw new DomainError('NOT_FOUND', `no interaction with id ${interactionId}`);
      const [item] = rows;
      if (item.direction !== 'INBOUND') throw badInput('interactionId', 'only an inbound interaction waits on the customer');
      if (item.status === 'RESOLVED') throw new DomainError('CONFLICT', 'this interaction is resolved already', { field: 'interactionId' });
      if (item.heldBy !== null && item.heldBy !== by) {
        throw new DomainError('CONFLICT', `agent ${item.heldBy} holds this interaction`, { field: 'interactionId', assignedTo: item.heldBy });
      }
      // Snoozing again replaces the pause: the due time moves by the difference. An answered
      // item's clock has stopped already; its due time stays. The snoozer's own hold ends.
      const [[snoozed]]: [Interaction[], number] = await m.query(
        `UPDATE interactions i SET
                sla_due_at = CASE WHEN i.responded_at IS NULL THEN i.sla_due_at + ($2::timestamptz - now()) - ${snoozeLeft('i')} ELSE i.sla_due_at END,
                snoozed_until = $2, assigned_to = NULL, assigned_at = NULL, assignment_due_at = NULL
          WHERE i.id = $1
         RETURNING ${INTERACTION_COLUMNS}`,
        [interactionId, until]);
      await appendHistory(m, [{
        customerId: item.customerId, interactionId, event: 'SNOOZED', fromStatus: item.status, toStatus: item.status,
        detail: `waiting on the customer until ${until.toISOString()} or their next post`, actor: by,
      }]);
      return snoozed;
    }));
  }
}
