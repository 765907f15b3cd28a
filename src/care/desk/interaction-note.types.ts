import { Field, ID, ObjectType } from 'type-graphql';
import { Access, READ } from '../../auth';
import { PersonalDataClass, DateTimeScalar } from '../../graphql';

/** Agents only: a private note is the desk's own words about the customer, never shown to marketing or ingest. */
@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'A private note on an interaction (addNote): agents only, never in exports to marketing.' })
export class InteractionNote {
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID) id!: string;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field({ description: 'The token subject of the agent who wrote it.' }) author!: string;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field() text!: string;
  @Field(() => [String], { description: 'The agents (care agent ids) the text @mentions; unknown ids are not mentions.' }) mentions!: string[];
  @Field(() => DateTimeScalar) createdAt!: Date;
  interactionId!: string;
}
