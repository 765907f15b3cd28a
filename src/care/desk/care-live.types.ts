import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, PersonalDataClass } from '../../graphql';
import { QueueItem } from './care-queue.types';
import { Access, READ } from '../../auth';

export enum QueueEventKind { ADDED = 'ADDED', UPDATED = 'UPDATED', REMOVED = 'REMOVED' }
registerEnumType(QueueEventKind, {
  name: 'QueueEventKind',
  description: 'ADDED: a new item entered the queue. UPDATED: an item is in the queue with new values (treat as upsert). REMOVED: it left (answered, escalated, resolved).',
});

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'A change of the care queue, published after the change committed.' })
export class QueueEvent {
  @Field(() => QueueEventKind) kind!: QueueEventKind;
  @Field(() => ID) interactionId!: string;
  @Field(() => QueueItem, { nullable: true, description: 'As it is now, read with the subscriber\'s rights; null for REMOVED.' }) item!: QueueItem | null;
  @Field(() => DateTimeScalar, { description: 'When the change was committed to the outbox.' }) at!: Date;
}
