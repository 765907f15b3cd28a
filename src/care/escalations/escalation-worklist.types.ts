import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Access, READ } from '../../auth';
import { EscalationTeam, PersonalDataClass, DateTimeScalar, ConnectionType } from '../../graphql';
import { Escalation } from '../../interactions';

@ObjectType({ description: 'A team\'s escalations, most urgent first (breached first, then by due time).' })
export class EscalationConnection extends ConnectionType(Escalation) {}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'How soon a team must take an escalation: the due time is the raise time plus responseMinutes in the calendar\'s open hours.' })
export class EscalationTarget {
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field(() => Int) responseMinutes!: number;
  @Field({ description: 'The business-hours calendar (setBusinessHours) the minutes are counted in.' }) businessHours!: string;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field() updatedBy!: string;
}

@InputType({ description: 'A team\'s response target; escalations raised afterwards follow it (earlier ones keep their due time).' })
export class EscalationTargetInput {
  @Field(() => EscalationTeam) team!: EscalationTeam;
  @Field(() => Int, { description: '1 to 129,600 (90 days).' }) responseMinutes!: number;
  @Field(() => String, { defaultValue: 'office', description: 'A calendar set with setBusinessHours.' }) businessHours!: string;
}
