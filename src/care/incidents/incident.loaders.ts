import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { groupByKey, oneByKey } from '../../db';
import { ESCALATION_COLUMNS } from '../../interactions';
import type { Escalation } from '../../interactions';
import type { IncidentBroadcast, IncidentMessage } from './incident.types';

interface IncidentCounts { id: string; posts: number; reached: number; affected: number }

/** Per-request loaders of incidents: counts, messages and the escalation. */
export function createIncidentLoaders(pool: Pool) {
  return {
    /** Posts joined and posters reached by at least one message, per incident. */
    incidentCountsById: new DataLoader<string, IncidentCounts>(async (ids) => {
      const { rows } = await pool.query<IncidentCounts>(
        `SELECT k.id, (SELECT count(*)::int FROM care_incident_posts p WHERE p.incident_id = k.id) AS posts,
                (SELECT count(DISTINCT n.customer_id)::int FROM care_incident_notices n WHERE n.incident_id = k.id) AS reached,
                (SELECT count(*)::int FROM care_incident_affected a WHERE a.incident_id = k.id) AS affected
           FROM unnest($1::uuid[]) AS k(id)`,
        [ids],
      );
      return oneByKey(ids, rows, (r) => r.id).map((r, n) => r ?? { id: ids[n], posts: 0, reached: 0, affected: 0 });
    }),
    /** Oldest first. */
    incidentMessagesById: new DataLoader<string, (IncidentMessage & { incidentId: string })[]>(async (ids) => {
      const { rows } = await pool.query<IncidentMessage & { incidentId: string }>(
        `SELECT id, incident_id AS "incidentId", kind, text, reached, not_consented AS "notConsented", sent_by AS "sentBy", sent_at AS "sentAt"
           FROM care_incident_messages WHERE incident_id = ANY($1::uuid[]) ORDER BY sent_at, id`,
        [ids],
      );
      return groupByKey(ids, rows, (r) => r.incidentId);
    }),
    /** broadcastIncident's posts, oldest first. */
    incidentBroadcastsById: new DataLoader<string, IncidentBroadcast[]>(async (ids) => {
      const { rows } = await pool.query<IncidentBroadcast>(
        `SELECT x.incident_id AS "incidentId", x.brand_channel_id AS "brandChannelId", b.channel, b.handle, x.text,
                x.posted_by AS "postedBy", x.posted_at AS "postedAt"
           FROM care_incident_broadcasts x JOIN brand_channels b ON b.id = x.brand_channel_id
          WHERE x.incident_id = ANY($1::uuid[]) ORDER BY x.posted_at, b.channel, b.handle`,
        [ids],
      );
      return groupByKey(ids, rows, (r) => r.incidentId);
    }),
    escalationById: new DataLoader<string, Escalation | null>(async (ids) => {
      const { rows } = await pool.query<Escalation>(`SELECT ${ESCALATION_COLUMNS} FROM escalations e WHERE e.id = ANY($1::uuid[])`, [ids]);
      return oneByKey(ids, rows, (r) => r.id);
    }),
  };
}
