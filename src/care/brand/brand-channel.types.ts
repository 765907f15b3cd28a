import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Channel, Tier, DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'A response-time target of a brand channel: overrides the channel\'s target for the tier (or every tier).' })
@InputType('BrandSlaTargetInput')
export class BrandSlaTarget {
  @Field(() => Tier, { nullable: true, description: 'null: every tier without its own target here.' }) tier?: Tier | null;
  @Field(() => Int, { description: '1 .. 129600 minutes.' }) responseMinutes!: number;
}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'One of the brand\'s own accounts, pages, forums or communities on a channel.' })
export class BrandChannel {
  @Field(() => ID) id!: string;
  @Field(() => Channel) channel!: Channel;
  @Field({ description: 'Normalised like customer handles (no @, lower case; a profile URL becomes its handle; forums and blogs: host/path).' })
  handle!: string;
  @Field() name!: string;
  @Field({ description: 'Posts to an unmonitored channel are recorded but stay out of the care queue.' }) monitored!: boolean;
  @Field(() => String, { nullable: true, description: 'The business-hours calendar its SLA clock runs in; null: that of the channel\'s SLA target.' })
  businessHours!: string | null;
  @Field(() => [BrandSlaTarget], { description: 'Targets that override the channel\'s (care rules); empty: the channel\'s apply.' })
  slaTargets!: BrandSlaTarget[];
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Removed channels keep their interactions; a removed channel is not matched any more.' })
  removedAt!: Date | null;
}

@InputType({
  description: 'Registers a brand channel, or (with id) changes one. The same channel and normalised handle twice is CONFLICT. '
    + 'businessHours names a calendar from setBusinessHours; slaTargets override the channel\'s targets.',
})
export class BrandChannelInput {
  @Field(() => ID, { nullable: true, description: 'Change this brand channel; leave out to register a new one.' }) id?: string | null;
  @Field(() => Channel) channel!: Channel;
  @Field({ description: 'Handle (with or without @), profile or page URL; forums, blogs and review sites: the URL.' }) handle!: string;
  @Field({ description: '1-200 characters.' }) name!: string;
  @Field({ defaultValue: true }) monitored!: boolean;
  @Field(() => String, { nullable: true, description: 'Name of a business-hours calendar; null: the channel\'s.' }) businessHours?: string | null;
  @Field(() => [BrandSlaTarget], { nullable: true, description: 'Default: none (the channel\'s targets apply). At most one per tier.' })
  slaTargets?: BrandSlaTarget[] | null;
}
