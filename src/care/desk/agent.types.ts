import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Channel, SwimLane, Tier, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Someone who answers the care queue: a token subject with what they serve.' })
export class Agent {
  @Field(() => ID, { description: 'The subject (`sub`) of the agent\'s token.' }) id!: string;
  @Access({ dataClass: PersonalDataClass.IDENTIFIER })
  @Field() name!: string;
  @Field(() => [String], { description: 'Skill groups served; empty: any item, whatever its skill group.' }) skillGroups!: string[];
  @Field(() => [SwimLane]) lanes!: SwimLane[];
  @Field(() => [Tier], { description: 'Customer tiers served: an item of a tier goes only to agents serving that tier.' }) tiers!: Tier[];
  @Field(() => [Channel], { description: 'Channels served; empty: every channel.' }) channels!: Channel[];
  @Field(() => Int, { description: 'Items held at once.' }) capacity!: number;
  @Field(() => Int, { description: 'Seconds a claimed item stays with the agent unanswered before it returns to the queue.' })
  assignmentSeconds!: number;
  @Field() active!: boolean;
}

@InputType({ description: 'Creates or replaces the agent with this id.' })
export class AgentInput {
  @Field(() => ID, { description: 'The subject (`sub`) of the agent\'s token.' }) id!: string;
  @Field(() => String, { nullable: true, description: 'Default: the id.' }) name?: string | null;
  @Field(() => [String], { defaultValue: [], description: 'Empty: any skill group.' }) skillGroups!: string[];
  @Field(() => [SwimLane], { defaultValue: [SwimLane.CUSTOMER_SERVICE, SwimLane.MARKETING_PR] }) lanes!: SwimLane[];
  @Field(() => [Tier], { description: 'At least one; PLATINUM items go only to agents listing PLATINUM.' }) tiers!: Tier[];
  @Field(() => [Channel], { defaultValue: [], description: 'Empty: every channel.' }) channels!: Channel[];
  @Field(() => Int, { defaultValue: 5, description: '1 .. 1000 items at once.' }) capacity!: number;
  @Field(() => Int, { defaultValue: 900, description: '1 .. 86400 seconds to answer a claimed item before it returns to the queue.' })
  assignmentSeconds!: number;
  @Field({ defaultValue: true, description: 'An inactive agent claims nothing.' }) active!: boolean;
}
