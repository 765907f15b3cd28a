import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Access } from '../auth';
import { PersonalDataClass, DateTimeScalar } from '../graphql';

@Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'How long content and inactive customers are kept; null: kept (off, the default).' })
export class RetentionPolicy {
  @Field(() => Int, { nullable: true, description: 'Conversations closed (every inbound interaction RESOLVED) for this many days lose their text.' })
  closedConversationDays!: number | null;
  @Field(() => Int, { nullable: true, description: 'Customers with no interaction, touchpoint or consent change for this many days are anonymised as erasure does.' })
  anonymiseInactiveCustomerDays!: number | null;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@InputType({ description: 'The whole policy: each value 1 .. 36500 days, or null to turn that part off. The daily job applies it in batches.' })
export class RetentionPolicyInput {
  @Field(() => Int, { nullable: true }) closedConversationDays?: number | null;
  @Field(() => Int, { nullable: true }) anonymiseInactiveCustomerDays?: number | null;
}
