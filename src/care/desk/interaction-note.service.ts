import type { DataSource, EntityManager } from 'typeorm';
import { withRetry } from '../../db';
import { checkId, DomainError, badInput } from '../../graphql';
import { EventType, appendEvents } from '../../events';
import type { InteractionNote } from './interaction-note.types';

const MAX_NOTE = 4_000;

class KeyRace extends Error {}
const MAX_KEY = 200;

/** Columns of an InteractionNote (table alias n). */
export const NOTE_COLUMNS = `n.id, n.interaction_id AS "interactionId", n.author, n.text, n.mentions, n.created_at AS "createdAt"`;

/**
 * The `@agentId` words of a note, in order of first appearance: an agent id is a token subject,
 * so anything up to a space or an @ counts; trailing punctuation of the sentence does not.
 * Usage: `mentionedIds('ask @bob, and @carol.')` -> ['bob', 'carol']
 */
export function mentionedIds(text: string): string[] {
  const ids = [...text.matchAll(/(?:^|[^\w@])@([^\s@]+)/g)].map((m) => m[1].replace(/[.,;:!?)\]]+$/, '')).filter((id) => id.length > 0);
  return [...new Set(ids)];
}

/**
 * Private notes on interactions. A note's @mentions name care agents (care_agents.id); an id
 * that is no agent is left out of `mentions` (the text keeps it) and notifies nobody. Each
 * mention is one NOTE_MENTION event (ids only, never the text).
 */
export class InteractionNoteService {
  constructor(private readonly dataSource: DataSource) {}

  /** Usage: `await notes.add({ interactionId, text: 'customer sends photos tomorrow, @bob' }, 'alice')` */
  async add(input: { interactionId: string; text: string; idempotencyKey?: string | null }, by: string): Promise<InteractionNote> {
    const interactionId = checkId(input.interactionId, 'interactionId');
    const text = input.text.trim();
    if (text === '' || text.length > MAX_NOTE) throw badInput('text', `text must be 1-${MAX_NOTE} characters`);
    const key = input.idempotencyKey ?? null;
    if (key !== null && (key.trim() === '' || key.length > MAX_KEY)) throw badInput('idempotencyKey', `idempotencyKey must be 1-${MAX_KEY} characters`);
    return withRetry(() => this.dataSource.transaction(async (m) => {
      if (key !== null) {
        const earlier = await this.byKey(m, key);
        if (earlier) return sameCall(earlier, interactionId, text);
      }
      const owner: { customerId: string }[] = await m.query(`SELECT customer_id AS "customerId" FROM interactions WHERE id = $1`, [interactionId]);
      if (owner.length === 0) throw new DomainError('NOT_FOUND', `no interaction with id ${interactionId}`);
      const { customerId } = owner[0];
      // Only agents that exist are mentions; the insert keeps them in the order written.
      const inserted: InteractionNote[] = await m.query(
        `INSERT INTO interaction_notes AS n (customer_id, interaction_id, author, text, mentions, idempotency_key)
         SELECT $1, $2, $3, $4, ARRAY(SELECT w.id FROM unnest($5::text[]) WITH ORDINALITY AS w(id, k)
                                       WHERE EXISTS (SELECT 1 FROM care_agents a WHERE a.id = w.id) ORDER BY w.k), $6
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING ${NOTE_COLUMNS}`,
        [customerId, interactionId, by, text, mentionedIds(text), key]);
      // A concurrent call with the same key committed first: run again, and answer as a retry.
      if (inserted.length === 0) throw new KeyRace();
      const [note] = inserted;
      await appendEvents(m, note.mentions.map((agentId) => ({
        type: EventType.NOTE_MENTION, customerId, data: { interactionId, noteId: note.id, customerId, agentId },
      })));
      return note;
    }), { retryIf: (error) => error instanceof KeyRace });
  }

  private async byKey(m: EntityManager, key: string): Promise<InteractionNote | null> {
    const rows: InteractionNote[] = await m.query(`SELECT ${NOTE_COLUMNS} FROM interaction_notes n WHERE n.idempotency_key = $1`, [key]);
    return rows[0] ?? null;
  }
}

/** A retry answers with the first note; the same key for another note is CONFLICT. */
function sameCall(earlier: InteractionNote, interactionId: string, text: string): InteractionNote {
  if (earlier.interactionId !== interactionId || earlier.text !== text) {
    throw new DomainError('CONFLICT', 'idempotencyKey was used before for another note', { field: 'idempotencyKey' });
  }
  return earlier;
}
