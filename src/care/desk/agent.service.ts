import type { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { recordAudit } from '../../audit';
import type { Viewer } from '../../auth';
import { DomainError, badInput, SwimLane, Tier, checkId } from '../../graphql';
import { INTERACTION_COLUMNS } from '../../interactions';
import type { Interaction } from '../../interactions';
import type { Agent, AgentInput } from './agent.types';
import { held } from './queue-membership';

/** Columns of an Agent (table alias a). */
export const AGENT_COLUMNS = `a.id, a.name, a.skill_groups AS "skillGroups", a.lanes, a.tiers, a.channels, a.capacity,
  a.assignment_seconds AS "assignmentSeconds", a.active`;

const ALL_TIERS = Object.values(Tier).length;
const ALL_LANES = Object.values(SwimLane).length;

/** An agent id is a token subject: any non-empty string up to 200 characters. */
export function checkAgentId(value: string, field = 'agentId'): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > 200) throw badInput(field, `${field} must be a token subject of 1-200 characters`);
  return trimmed;
}

/**
 * claimNextInteraction as one autocommit statement: care_claim_next (its body is written by
 * queue-membership.ts, its design is in migration ClaimInOneStatement1795830000000) locks the agent row, counts the agent's holds in a snapshot
 * taken after that lock (capacity), picks the first item of the care queue (same predicate,
 * same order) the agent may take with FOR UPDATE SKIP LOCKED, and assigns it. No row: nothing
 * fits, the agent is at capacity, inactive or unknown. $1: the agent id.
 */
export const CLAIM_SQL = `SELECT ${INTERACTION_COLUMNS} FROM care_claim_next($1) i`;

/** Queue membership lives in queue-membership.ts; `holds` is re-exported for the readers of agents. */
export { holds } from './queue-membership';

function list<T extends string>(values: T[], field: string, max: number, itemMax = 100): T[] {
  const out = [...new Set(values.map((v) => v.trim() as T))];
  if (out.length > max) throw badInput(field, `${field} may list at most ${max} values`);
  const bad = out.findIndex((v) => v === '' || v.length > itemMax);
  if (bad >= 0) throw badInput(field, `every ${field} value must be 1-${itemMax} characters`);
  return out.sort();
}

/**
 * Agents and the assignment of queue items to them (the ACD side of the care desk): who
 * serves which skill groups, lanes, tiers and channels, how many items at once, and for how
 * long an unanswered claim holds. Answering or escalating an item ends its assignment (a
 * trigger, whatever code changes the status); an expired one is free again on the next read.
 */
export class AgentService {
  constructor(private readonly dataSource: DataSource, private readonly pool: Pool) {}

  async agents(): Promise<Agent[]> {
    const { rows } = await this.pool.query<Agent>(`SELECT ${AGENT_COLUMNS} FROM care_agents a ORDER BY a.id`);
    return rows;
  }

  async setAgent(input: AgentInput, by: Viewer): Promise<Agent> {
    const id = checkAgentId(input.id, 'id');
    const name = (input.name ?? id).trim();
    if (name === '' || name.length > 200) throw badInput('name', 'name must be 1-200 characters');
    const skillGroups = list(input.skillGroups, 'skillGroups', 50);
    const lanes = list(input.lanes, 'lanes', ALL_LANES);
    const tiers = list(input.tiers, 'tiers', ALL_TIERS);
    const channels = list(input.channels, 'channels', 50);
    if (lanes.length === 0) throw badInput('lanes', 'an agent serves at least one lane');
    if (tiers.length === 0) throw badInput('tiers', 'an agent serves at least one tier');
    if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 1000) throw badInput('capacity', 'capacity must be 1-1000');
    if (!Number.isInteger(input.assignmentSeconds) || input.assignmentSeconds < 1 || input.assignmentSeconds > 86_400) {
      throw badInput('assignmentSeconds', 'assignmentSeconds must be 1-86400');
    }
    return this.dataSource.transaction(async (m) => {
      const [agent]: Agent[] = await m.query(
        `INSERT INTO care_agents AS a (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, active, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, skill_groups = excluded.skill_groups, lanes = excluded.lanes,
           tiers = excluded.tiers, channels = excluded.channels, capacity = excluded.capacity,
           assignment_seconds = excluded.assignment_seconds, active = excluded.active, updated_by = excluded.updated_by, updated_at = now()
         RETURNING ${AGENT_COLUMNS}`,
        [id, name, skillGroups, lanes, tiers, channels, input.capacity, input.assignmentSeconds, input.active, by.sub],
      );
      await recordAudit(m, { actor: by, action: 'AGENT_SET', subject: null, details: { agentId: id, capacity: input.capacity, tiers, active: input.active } });
      return agent;
    });
  }

  /** The agent a claim or release acts for: the caller, or (supervisors) the agent named. */
  actingAgent(agentId: string | null | undefined, viewer: Viewer): string {
    const id = agentId == null ? viewer.sub : checkAgentId(agentId);
    if (id !== viewer.sub && !viewer.roles.has('supervisor')) {
      throw new DomainError('FORBIDDEN', 'only a supervisor may claim for another agent', { field: 'agentId' });
    }
    return id;
  }

  /** Assigns the best open item this agent may take, or null (nothing fits, or the agent is at capacity). */
  async claimNext(agentId: string): Promise<Interaction | null> {
    const { rows } = await this.pool.query<Interaction>(CLAIM_SQL, [agentId]);
    if (rows[0]) return rows[0];
    // Only a claim that found nothing asks why: an unknown or inactive agent is an error, not null.
    const { rows: agent } = await this.pool.query<{ active: boolean }>(`SELECT active FROM care_agents WHERE id = $1`, [agentId]);
    if (!agent[0]) throw new DomainError('NOT_FOUND', `no agent "${agentId}" (a supervisor sets agents up with setAgent)`, { field: 'agentId' });
    if (!agent[0].active) throw new DomainError('CONFLICT', `agent "${agentId}" is inactive`, { field: 'agentId' });
    return null;
  }

  /** Gives a held item back to the queue: the holder, or a supervisor for anyone. */
  async release(interactionId: string, viewer: Viewer): Promise<Interaction> {
    const id = checkId(interactionId, 'interactionId', 'an interaction id');
    const holder = viewer.roles.has('supervisor') ? null : viewer.sub;
    const { rows } = await this.pool.query<Interaction>(
      `UPDATE interactions i SET assigned_to = NULL, assigned_at = NULL, assignment_due_at = NULL
        WHERE i.id = $1 AND ${held('i')} AND ($2::text IS NULL OR i.assigned_to = $2)
        RETURNING ${INTERACTION_COLUMNS}`,
      [id, holder],
    );
    if (rows[0]) return rows[0];
    const { rows: found } = await this.pool.query<{ assignedTo: string | null }>(
      `SELECT CASE WHEN ${held('i')} THEN i.assigned_to END AS "assignedTo" FROM interactions i WHERE i.id = $1`, [id]);
    if (found.length === 0) throw new DomainError('NOT_FOUND', `no interaction with id ${id}`);
    throw new DomainError('CONFLICT', found[0].assignedTo ? 'this interaction is assigned to another agent' : 'this interaction is not assigned', { field: 'interactionId' });
  }
}
