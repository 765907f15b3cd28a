import type { Pool } from 'pg';
import { authorizeRoles, CAN, type Role } from '../auth';
import { checkId } from '../graphql';
import { NODE_TYPE, type NodeTypeName } from '../customers';
import type { RequestContext } from '../context';
import type { IncidentService } from '../care';

/**
 * Who may refetch each type by id: the roles of the type's own reads (customers and what hangs
 * off them are read by viewers and up; incidents by agents and up, like Query.incident).
 * Marketing and ingest read none of them raw, so `Query.node` refuses them outright.
 */
export const NODE_READERS: Readonly<Record<NodeTypeName, readonly Role[]>> = {
  Customer: CAN.readCustomers,
  Interaction: CAN.readCustomers,
  Conversation: CAN.readCustomers,
  Escalation: CAN.readCustomers,
  Incident: CAN.workQueue,
};

/**
 * Ids are per-table UUIDs with no type in them: one statement asks the five tables (each by its
 * primary key), then the type's own loader reads the row, as a field of that type would.
 */
const TYPE_OF_ID = `
  SELECT 'Customer' AS type FROM customers WHERE id = $1
  UNION ALL SELECT 'Interaction' FROM interactions WHERE id = $1
  UNION ALL SELECT 'Conversation' FROM conversations WHERE id = $1
  UNION ALL SELECT 'Escalation' FROM escalations WHERE id = $1
  UNION ALL SELECT 'Incident' FROM care_incidents WHERE id = $1
  LIMIT 1`;

/** `Query.node`: Relay refetch across the types that implement Node. */
export class NodeService {
  constructor(private readonly pool: Pool, private readonly incidents: Pick<IncidentService, 'incident'>) {}

  /**
   * The object behind `id` tagged with its type, null when no table has it; FORBIDDEN when the
   * viewer may not read that type. A merged customer's old id answers with the survivor, as
   * `customer(id)` does.
   */
  async node(ctx: RequestContext, id: string): Promise<object | null> {
    checkId(id, 'id', 'a node id');
    const { rows } = await this.pool.query<{ type: NodeTypeName }>(TYPE_OF_ID, [id]);
    const type = rows[0]?.type;
    if (!type) return null;
    await authorizeRoles(ctx, NODE_READERS[type], `Query.node(${type})`, `reading a ${type} by id`);
    const found = await this.load(ctx, type, id);
    return found && { ...found, [NODE_TYPE]: type };
  }

  private load(ctx: RequestContext, type: NodeTypeName, id: string): Promise<object | null> {
    switch (type) {
      case 'Customer': return ctx.loaders.customerById.load(id);
      case 'Interaction': return ctx.loaders.interactionById.load(id);
      case 'Conversation': return ctx.loaders.conversationById.load(id);
      case 'Escalation': return ctx.loaders.escalationById.load(id);
      case 'Incident': return this.incidents.incident(id);
    }
  }
}
