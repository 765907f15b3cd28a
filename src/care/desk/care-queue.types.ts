import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, PersonalDataClass } from '../../graphql';
import { Priority } from '../../influence';
import { Interaction } from '../../interactions';
import { Access, READ } from '../../auth';

export enum NextStep { RESPOND = 'RESPOND', TAKE_OFFLINE = 'TAKE_OFFLINE' }
registerEnumType(NextStep, {
  name: 'NextStep',
  description: 'What the agent should do with a queue item: answer it, or (the post shows private data) take the conversation offline.',
});

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'One open inbound interaction in the care queue, with why it is where it is.' })
export class QueueItem {
  @Field(() => Interaction) interaction!: Interaction;
  @Field(() => Priority, { description: 'At the time of the request; the SLA part grows as the due time nears.' }) priority!: Priority;
  @Field(() => NextStep, { description: 'TAKE_OFFLINE when the post shows private data (Interaction.pii); the reasons say what was found.' })
  nextStep!: NextStep;
  @Field(() => ID, { nullable: true, description: 'The open incident this item stands for: its other open posts are grouped behind it, out of the queue.' })
  incidentId!: string | null;
  @Field(() => Int, { nullable: true, description: 'Open posts of that incident this item stands for, itself included; null when it stands for no incident.' })
  groupedCount!: number | null;
  queueKey!: number;
}

@ObjectType({ simpleResolvers: true })
export class QueueItemConnection extends ConnectionType(QueueItem) {}
