import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({
  simpleResolvers: true,
  description: 'Posts by these handles, or with these keywords, are recorded but kept out of the care queue and out of automatic '
    + 'replies (trolls, spam, legal holds). Matched at ingestion; the post keeps the rule that matched it.',
})
export class DoNotEngageRule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Access({ dataClass: PersonalDataClass.IDENTIFIER })
  @Field(() => [String], { description: 'Authors\' handles, normalised like customer handles (no @, lower case).' }) handles!: string[];
  @Field(() => [String], { description: 'Whole words, case-insensitive; a trailing * matches word starts.' }) keywords!: string[];
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field() reason!: string;
  @Field({ description: 'false: removed; posts it matched keep it, new posts are not matched.' }) active!: boolean;
  @Field(() => Int, { description: 'Inbound posts this rule kept out of the queue, ever.' }) filtered!: number;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field() updatedBy!: string;
}

@InputType({
  description: 'Creates a do-not-engage rule or (with id) replaces one. At most 200 handles and 100 keywords of 1-100 characters; '
    + 'an active rule needs at least one. Remove a rule with active: false (it stays listed, with what it filtered).',
})
export class DoNotEngageRuleInput {
  @Field(() => ID, { nullable: true, description: 'Replace this rule; leave out to create one (the same name and content again answers the rule).' })
  id?: string | null;
  @Field({ description: '1-100 characters, unique.' }) name!: string;
  @Field(() => [String], { description: 'Handles, with or without @, or profile URLs.' }) handles!: string[];
  @Field(() => [String], { description: 'Words or phrases matched as whole words, case-insensitive; "spam*" matches word starts.' }) keywords!: string[];
  @Field({ description: '1-500 characters: why (troll, spam, legal hold).' }) reason!: string;
  @Field({ defaultValue: true }) active!: boolean;
}
