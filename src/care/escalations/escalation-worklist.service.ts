import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { recordAudit } from '../../audit';
import type { Viewer } from '../../auth';
import { EventType, appendEvents } from '../../events';
import type { EscalationStatus, EscalationTeam } from '../../graphql';
import { DomainError, badInput, checkId, decodeCursor, encodeCursor, sortKeySql, toConnection, type Connection } from '../../graphql';
import { ESCALATION_BREACHED_SQL, ESCALATION_COLUMNS, ESCALATION_STATUS_SQL } from '../../interactions';
import type { Escalation } from '../../interactions';
import type { EscalationTarget, EscalationTargetInput } from './escalation-worklist.types';

const MAX_TARGET_MINUTES = 60 * 24 * 90;
const TARGET_COLUMNS = `team, response_minutes AS "responseMinutes", business_hours AS "businessHours", updated_at AS "updatedAt", updated_by AS "updatedBy"`;

/**
 * Urgency, the worklist's sort key: a breached escalation sorts by its due time moved a
 * thousand years back, so every breached one comes before every other; the rest by due time.
 * It is a timestamp, so the keyset cursor stays (time, id) like every other connection.
 */
const URGENCY_SQL = `CASE WHEN ${ESCALATION_BREACHED_SQL} THEN e.due_at - interval '1000 years' ELSE coalesce(e.due_at, 'infinity') END`;

export interface WorklistArgs {
  team?: EscalationTeam | null;
  status?: EscalationStatus | null;
  breached?: boolean | null;
  first: number;
  after?: string | null;
}

/**
 * Escalation worklists: a team's escalations most urgent first, and acknowledgement (an agent of
 * the team takes ownership). An agent serves a team when an active care_agents row with the
 * token's subject lists the team's name among its skill groups; supervisors and admins serve
 * every team (docs/care.md, "Escalation worklists").
 */
export class EscalationWorklistService {
  constructor(private readonly dataSource: DataSource, private readonly pool: Pool) {}

  async escalations(args: WorklistArgs): Promise<Connection<Escalation>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (args.team) add((p) => `e.team = ${p}`, args.team);
    if (args.status) add((p) => `${ESCALATION_STATUS_SQL} = ${p}`, args.status);
    if (args.breached != null) add((p) => `${ESCALATION_BREACHED_SQL} = ${p}`, args.breached);
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    const after = decodeCursor(args.after);
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(${URGENCY_SQL}, e.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(args.first + 1);
    const { rows } = await this.pool.query<Escalation & { sortKey: string }>(
      `SELECT ${ESCALATION_COLUMNS}, ${sortKeySql(URGENCY_SQL)} AS "sortKey" FROM escalations e
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${URGENCY_SQL}, e.id LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, args.first, (r) => encodeCursor(r.sortKey, r.id), async () => {
      const { rows: n } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM escalations e ${countWhere}`, countParams);
      return n[0].n;
    });
  }

  async targets(): Promise<EscalationTarget[]> {
    const { rows } = await this.pool.query<EscalationTarget>(`SELECT ${TARGET_COLUMNS} FROM care_escalation_targets ORDER BY team`);
    return rows;
  }

  /** Creates or replaces a team's target, in one statement that also checks the calendar exists. */
  async setTarget(input: EscalationTargetInput, by: string): Promise<EscalationTarget> {
    if (!Number.isInteger(input.responseMinutes) || input.responseMinutes < 1 || input.responseMinutes > MAX_TARGET_MINUTES) {
      throw badInput('responseMinutes', `responseMinutes must be a whole number from 1 to ${MAX_TARGET_MINUTES}`);
    }
    const { rows } = await this.pool.query<EscalationTarget>(
      `INSERT INTO care_escalation_targets (team, response_minutes, business_hours, updated_by)
       SELECT $1, $2, h.name, $4 FROM care_business_hours h WHERE h.name = $3
       ON CONFLICT (team) DO UPDATE SET response_minutes = excluded.response_minutes, business_hours = excluded.business_hours,
                                        updated_by = excluded.updated_by, updated_at = now()
       RETURNING ${TARGET_COLUMNS}`,
      [input.team, input.responseMinutes, input.businessHours.trim(), by],
    );
    if (!rows[0]) throw badInput('businessHours', `no business hours named "${input.businessHours}" (setBusinessHours makes one)`);
    return rows[0];
  }

  /**
   * Takes ownership: one conditional UPDATE, so of two agents acknowledging at once exactly one
   * wins and the other gets CONFLICT. The owner acknowledging again (a retry) gets the
   * escalation back and nothing is written.
   */
  async acknowledge(id: string, viewer: Viewer): Promise<Escalation> {
    const escalationId = checkId(id, 'id', 'an escalation id');
    return this.dataSource.transaction(async (m) => {
      const [found]: { team: string; serves: boolean }[] = await m.query(
        `SELECT e.team, EXISTS (SELECT 1 FROM care_agents a WHERE a.id = $2 AND a.active
                                  AND EXISTS (SELECT 1 FROM unnest(a.skill_groups) s WHERE upper(s) = e.team)) AS serves
           FROM escalations e WHERE e.id = $1`,
        [escalationId, viewer.sub],
      );
      if (!found) throw new DomainError('NOT_FOUND', `no escalation with id ${escalationId}`, { field: 'id' });
      if (!viewer.roles.has('supervisor') && !found.serves) {
        throw new DomainError('FORBIDDEN', `only an agent serving ${found.team} (a skill group of that name) or a supervisor may acknowledge it`, { field: 'id' });
      }
      const [[acknowledged]]: [(Escalation & { customerId: string })[], number] = await m.query(
        `UPDATE escalations e SET owner = $2, acknowledged_at = now()
          WHERE e.id = $1 AND e.acknowledged_at IS NULL AND e.resolved_at IS NULL
         RETURNING ${ESCALATION_COLUMNS}`,
        [escalationId, viewer.sub],
      );
      if (!acknowledged) {
        // Lost the race, or acknowledged/resolved earlier: this statement sees what committed.
        const [now]: Escalation[] = await m.query(`SELECT ${ESCALATION_COLUMNS} FROM escalations e WHERE e.id = $1`, [escalationId]);
        if (now.resolvedAt) throw new DomainError('CONFLICT', 'this escalation is resolved already', { field: 'id' });
        if (now.owner === viewer.sub) return now;
        throw new DomainError('CONFLICT', `this escalation is acknowledged by ${now.owner} already`, { field: 'id', owner: now.owner });
      }
      await recordAudit(m, {
        actor: viewer, action: 'ESCALATION_ACKNOWLEDGED', subject: acknowledged.customerId,
        details: { escalationId, interactionId: acknowledged.interactionId, team: acknowledged.team },
      });
      await appendEvents(m, [{
        type: EventType.ESCALATION_ACKNOWLEDGED,
        customerId: acknowledged.customerId,
        data: { escalationId, interactionId: acknowledged.interactionId, customerId: acknowledged.customerId, team: acknowledged.team, owner: viewer.sub },
      }]);
      return acknowledged;
    });
  }
}
