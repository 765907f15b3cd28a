import { Field, ObjectType } from 'type-graphql';
import { ConnectionType } from '../graphql/pagination';
import { Priority } from '../influence/influence.types';
import { Interaction } from '../interactions/interaction.types';

@ObjectType({ simpleResolvers: true, description: 'One open inbound interaction in the care queue, with why it is where it is.' })
export class QueueItem {
  @Field(() => Interaction) interaction!: Interaction;
  @Field(() => Priority, { description: 'At the time of the request; the SLA part grows as the due time nears.' }) priority!: Priority;
  queueKey!: number;
}

@ObjectType({ simpleResolvers: true })
export class QueueItemConnection extends ConnectionType(QueueItem) {}
