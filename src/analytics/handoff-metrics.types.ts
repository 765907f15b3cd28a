import { Field, Int, ObjectType } from 'type-graphql';
import { Access, READ } from '../auth';
import { PersonalDataClass } from '../graphql';
import { HandoffReason } from '../care';

@Access({ roles: READ.metrics, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Conversations moved off their channel (takeOffline) in the range, for one reason.' })
export class HandoffReasonCount {
  @Field(() => HandoffReason, { nullable: true, description: 'null: moved without a handoffReason.' }) reason!: HandoffReason | null;
  @Field(() => Int) count!: number;
}
