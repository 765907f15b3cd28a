import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { Channel, Direction, InteractionCategory, Platform, SwimLane, DateTimeScalar } from '../graphql';

@InputType({ description: 'One interaction to record. Name the customer by customerId or by any identifier (email, phone, platform + handle).' })
export class InteractionInput {
  @Field({ description: '1-255 characters. A retry with the same key and content returns the first result; other content is CONFLICT.' })
  idempotencyKey!: string;

  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164 or a national format of the default region.' }) phone?: string | null;
  @Field(() => Platform, { nullable: true, description: 'With handle or externalUserId: the social identity it came from.' }) platform?: Platform | null;
  @Field(() => String, { nullable: true, description: 'With or without @, or a profile URL.' }) handle?: string | null;
  @Field(() => String, { nullable: true }) externalUserId?: string | null;
  @Field(() => Int, { nullable: true }) followerCount?: number | null;
  @Field(() => String, { nullable: true, description: 'Name for a customer created from an unknown identifier (default: the handle).' })
  displayName?: string | null;

  @Field(() => Channel) channel!: Channel;
  @Field(() => Direction, { nullable: true, description: 'Default INBOUND.' }) direction?: Direction | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Default: now.' }) occurredAt?: Date | null;
  @Field() content!: string;
  @Field(() => Boolean, { nullable: true, description: 'Default: true on public social channels (not WhatsApp), false elsewhere.' })
  isPublic?: boolean | null;

  @Field(() => InteractionCategory, { nullable: true, description: 'Default: the rule-based classifier.' }) category?: InteractionCategory | null;
  @Field(() => Float, { nullable: true, description: '-1..1; default: the classifier.' }) sentiment?: number | null;
  @Field(() => [String], { nullable: true, description: 'Default: hashtags and lexicon topics of the content.' }) topics?: string[] | null;
  @Field(() => SwimLane, { nullable: true, description: 'Default: the stored lane rules.' }) lane?: SwimLane | null;
  @Field(() => String, { nullable: true, description: 'Default: the first skill group whose cluster the post hits.' }) skillGroup?: string | null;

  @Field(() => ID, { nullable: true, description: 'Continue this conversation (it must be the customer\'s).' }) conversationId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The interaction this one answers; the same customer continues its conversation.' })
  inReplyToId?: string | null;
  @Field(() => String, { nullable: true, description: 'The platform id of the post this one answers (same channel).' })
  inReplyToExternalId?: string | null;
  @Field(() => String, { nullable: true, description: 'The platform\'s id of this post.' }) externalId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The brand channel the post reached (see brandChannels); a removed one is BAD_USER_INPUT.' })
  brandChannelId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Or: the brand handle (or page URL) the post was addressed to on this channel, normalised like customer handles; '
      + 'a handle no live brand channel has leaves the post without one. Not with brandChannelId.',
  })
  brandHandle?: string | null;
}
