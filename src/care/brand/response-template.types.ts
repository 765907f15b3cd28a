import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Channel, InteractionCategory, DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'An approved response in the library. Saving a new text makes a new version; replies record the version they used.' })
export class ResponseTemplate {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => InteractionCategory, { nullable: true, description: 'The category of post it answers; null: any.' }) category!: InteractionCategory | null;
  @Field(() => [Channel], { description: 'Channels it is meant for; empty: every channel.' }) channels!: Channel[];
  @Field({ description: 'The current version\'s text with its {placeholders}.' }) text!: string;
  @Field(() => Int, { description: 'Current version, from 1.' }) version!: number;
  @Field({ description: 'The "take offline" category: asks the customer to continue in private. First suggestion for a post with private data.' })
  takeOffline!: boolean;
  @Field(() => DateTimeScalar) updatedAt!: Date;
}

@InputType({
  description: 'Saves a template: a new one, or (with id) a new version of one. Placeholders in the text: '
    + '{firstName} {lastName} {fullName} {handle} {agentName} {caseNumber} {brandName} {brandHandle}; any other {word} is BAD_USER_INPUT. '
    + 'Names are unique (case-insensitive): CONFLICT.',
})
export class ResponseTemplateInput {
  @Field(() => ID, { nullable: true, description: 'Save a new version of this template; leave out to create one.' }) id?: string | null;
  @Field({ description: '1-200 characters.' }) name!: string;
  @Field(() => InteractionCategory, { nullable: true, description: 'null: fits posts of any category.' }) category?: InteractionCategory | null;
  @Field(() => [Channel], { nullable: true, description: 'Default: every channel.' }) channels?: Channel[] | null;
  @Field({ description: '1-10,000 characters.' }) text!: string;
  @Field({ defaultValue: false, description: 'A "take offline" template (move the conversation to a private channel).' }) takeOffline!: boolean;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
@ObjectType({ simpleResolvers: true, description: 'A template rendered for one interaction\'s customer and reply channel.' })
export class ResponseSuggestion {
  @Field(() => ResponseTemplate) template!: ResponseTemplate;
  @Field({ description: 'The text with its placeholders filled in.' }) text!: string;
  @Field(() => Int, { description: 'Characters (Unicode code points) of text.' }) length!: number;
  @Field(() => Int, { description: 'The reply channel\'s length limit.' }) maxLength!: number;
  @Field({ description: 'length <= maxLength: respondToInteraction would take it.' }) fits!: boolean;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'The longest reply a channel takes (respondToInteraction refuses longer ones).' })
export class ChannelLengthLimit {
  @Field(() => Channel) channel!: Channel;
  @Field(() => Int) maxLength!: number;
}
