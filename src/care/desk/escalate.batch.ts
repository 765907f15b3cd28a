import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ItemsRefused, type BatchWriter } from '../../common';
import { withRetry } from '../../db';
import { DomainError, badInput, checkId } from '../../graphql';
import type { Escalation } from '../../interactions';
import type { EscalateInput } from './care.inputs';
import { dueInputsSql, raiseEscalations, type DueInputs } from '../escalations';

/** One escalateInteraction call: its input, its caller, and the escalation's id (fixed up front, so a batch written again keeps it). */
export interface EscalateCall {
  input: EscalateInput;
  by: string;
  requestId?: string;
  escalationId: string;
}

/** An escalateInteraction call as its caller made it. Usage: `coalescer.record(escalateCall(input, viewer.sub, requestId))` */
export function escalateCall(input: EscalateInput, by: string, requestId?: string): EscalateCall {
  return { input, by, requestId, escalationId: randomUUID() };
}

const MAX_REASON = 2000;

/** Thrown by a batch that escalates one interaction twice: the coalescer then writes each call alone, in lock order, as lone calls would be. */
class SameInteractionTwice extends Error {}

interface Target {
  id: string;
  customerId: string;
  status: string;
  /** Open escalations of the interaction, by team: the escalation's id. */
  open: Record<string, string>;
}

/**
 * escalateInteraction, one call or many callers' calls in one transaction (a Coalescer,
 * src/common/coalescer.ts): one statement locks every interaction, the next reads their open
 * escalations and the teams' response targets, then raiseEscalations writes them all set-based (its INSERT returns the answers).
 * Each call is checked as it would be alone: NOT_FOUND, CONFLICT (resolved, or already escalated
 * to that team) are its own, and a refused call writes nothing.
 */
export class EscalateWriter implements BatchWriter<EscalateCall, Escalation> {
  constructor(private readonly dataSource: DataSource) {}

  check({ input }: EscalateCall): Error | null {
    try {
      checkId(input.interactionId, 'interactionId');
    } catch (error) {
      return error as Error;
    }
    const reason = input.reason.trim();
    if (reason === '' || reason.length > MAX_REASON) return badInput('reason', `reason must be 1-${MAX_REASON} characters`);
    return null;
  }

  async one(call: EscalateCall): Promise<Escalation> {
    try {
      return (await this.many([call]))[0];
    } catch (error) {
      throw error instanceof ItemsRefused ? error.errors.get(0) : error;
    }
  }

  many(calls: EscalateCall[]): Promise<Escalation[]> {
    if (new Set(calls.map((c) => c.input.interactionId)).size < calls.length) return Promise.reject(new SameInteractionTwice());
    return withRetry(() => this.dataSource.transaction((m) => this.write(m, calls)));
  }

  private async write(m: EntityManager, calls: EscalateCall[]): Promise<Escalation[]> {
    // Locked in id order, so two batches in flight never wait on each other in a circle. The open
    // escalations are read by the next statement: one that waited for a lock sees what the holder committed.
    const rows: Target[] = await m.query(
      `SELECT i.id, i.customer_id AS "customerId", i.status FROM interactions i WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR UPDATE OF i`,
      [calls.map((c) => c.input.interactionId)],
    );
    // Same statement: the teams' response targets, for the due times (no statement of their own).
    const [{ open, ...due }]: ({ open: { interactionId: string; team: string; id: string }[] } & DueInputs)[] = await m.query(
      `SELECT coalesce((SELECT json_agg(json_build_object('interactionId', interaction_id, 'team', team, 'id', id)) FROM escalations
                         WHERE interaction_id = ANY($1::uuid[]) AND resolved_at IS NULL), '[]') AS open,
              ${dueInputsSql('$2')}`,
      [rows.map((r) => r.id), [...new Set(calls.map((c) => c.input.team))]],
    );
    for (const r of rows) r.open = Object.fromEntries(open.filter((e) => e.interactionId === r.id).map((e) => [e.team, e.id]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const refused = new Map<number, Error>();
    calls.forEach(({ input }, n) => {
      const target = byId.get(input.interactionId);
      if (!target) refused.set(n, new DomainError('NOT_FOUND', `no interaction with id ${input.interactionId}`));
      else if (target.status === 'RESOLVED') refused.set(n, new DomainError('CONFLICT', 'a resolved interaction cannot be escalated', { field: 'interactionId' }));
      else if (target.open[input.team]) {
        refused.set(n, new DomainError('CONFLICT', `this interaction is already escalated to ${input.team}`, { field: 'team', escalationId: target.open[input.team] }));
      }
    });
    if (refused.size > 0) throw new ItemsRefused(refused);
    const { written } = await raiseEscalations(m, calls.map(({ input, by, requestId, escalationId }) => {
      const target = byId.get(input.interactionId)!;
      return {
        id: escalationId, customerId: target.customerId, interactionId: target.id, team: input.team, reason: input.reason.trim(),
        automatic: false, createdBy: by, statusBefore: target.status, requestId,
      };
    }), undefined, due);
    const escalations = new Map(written.map((e) => [e.id, e]));
    return calls.map((c) => escalations.get(c.escalationId)!);
  }
}
