import { ObjectType } from 'type-graphql';
import { ConnectionType } from '../graphql/pagination';
import { Escalation } from '../interactions/interaction.types';

@ObjectType({ description: 'A team\'s escalations, most urgent first (breached first, then by due time).' })
export class EscalationConnection extends ConnectionType(Escalation) {}
