import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

export enum ReplyDeliveryStatus { PENDING = 'PENDING', SENT = 'SENT', FAILED = 'FAILED' }
registerEnumType(ReplyDeliveryStatus, {
  name: 'ReplyDeliveryStatus',
  description: 'PENDING until a channel connector confirms (recordReplyDelivery); SENT with the platform\'s id; FAILED with its error.',
});

@Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Whether an outbound reply was really posted on its channel.' })
export class ReplyDelivery {
  @Field(() => ReplyDeliveryStatus) status!: ReplyDeliveryStatus;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => String, { nullable: true, description: 'SENT: the platform\'s id of the post (also the reply\'s externalId).' }) externalId!: string | null;
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => String, { nullable: true, description: 'FAILED: what the connector reported.' }) error!: string | null;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@InputType({
  description: 'A channel connector\'s confirmation of one reply, named by its id or by the idempotencyKey it was recorded with (one of them). '
    + 'SENT needs externalId (the platform\'s id of the post); FAILED needs error. The same confirmation twice answers the reply; '
    + 'a different one (SENT then FAILED, another externalId) is CONFLICT.',
})
export class ReplyDeliveryInput {
  @Field(() => ID, { nullable: true, description: 'The outbound reply (the replyId of INTERACTION_RESPONDED).' }) interactionId?: string | null;
  @Field(() => String, { nullable: true, description: 'Or: the idempotencyKey of an ingested outbound reply.' }) idempotencyKey?: string | null;
  @Field(() => ReplyDeliveryStatus, { description: 'SENT or FAILED.' }) status!: ReplyDeliveryStatus;
  @Field(() => String, { nullable: true, description: 'SENT: 1-255 characters.' }) externalId?: string | null;
  @Field(() => String, { nullable: true, description: 'FAILED: 1-2000 characters.' }) error?: string | null;
}
