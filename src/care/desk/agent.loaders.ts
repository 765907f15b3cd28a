import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { AGENT_COLUMNS } from './agent.service';
import type { Agent } from './agent.types';

/** Per-request loaders of agents. */
export function createAgentLoaders(pool: Pool) {
  return {
    agentById: new DataLoader<string, Agent | null>(async (ids) => {
      const { rows } = await pool.query<Agent>(`SELECT ${AGENT_COLUMNS} FROM care_agents a WHERE a.id = ANY($1::text[])`, [ids]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
