import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, ConnectionType, DateTimeScalar, PersonalDataClass } from '../../graphql';
import { Access, READ } from '../../auth';
import { Node } from '../../customers';

export enum IncidentStatus { OPEN = 'OPEN', RESOLVED = 'RESOLVED' }
registerEnumType(IncidentStatus, { name: 'IncidentStatus' });

export enum IncidentMessageKind { NOTIFY = 'NOTIFY', RESOLVE = 'RESOLVE' }
registerEnumType(IncidentMessageKind, { name: 'IncidentMessageKind', description: 'NOTIFY: notifyIncident; RESOLVE: the closing message of resolveIncident.' });

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, implements: Node, description: 'A topic burst that tripped the threshold rule, and everyone who posted on it while it was open.' })
export class Incident {
  @Field(() => ID) id!: string;
  @Field() topic!: string;
  @Field(() => IncidentStatus) status!: IncidentStatus;
  @Field(() => DateTimeScalar, { description: 'The latest post of the burst that opened it.' }) openedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) resolvedAt!: Date | null;
  @Field({ description: 'The threshold rule that tripped; "manual" for an incident opened by hand (openIncident).' }) ruleName!: string;
  @Field(() => Int, { description: 'The rule\'s window; 0 for an incident opened by hand.' }) windowMinutes!: number;
  @Field(() => String, { nullable: true, description: 'Who opened it by hand (openIncident); null when a burst opened it.' })
  openedBy!: string | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => Int, { description: 'Posts on the topic in the window when the rule tripped.' }) triggerPosts!: number;
  escalationId!: string | null;
}

@ObjectType()
export class IncidentConnection extends ConnectionType(Incident) {}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.PSEUDONYMOUS })
@ObjectType({ simpleResolvers: true, description: 'One customer who posted on an incident: the channel and post the messages answer.' })
export class IncidentPoster {
  @Field(() => Channel) channel!: Channel;
  @Field({ description: 'SERVICE consent of the post\'s social identity is GRANTED and unexpired now: messages may reach them.' })
  consented!: boolean;
  customerId!: string;
  interactionId!: string;
  noticeId!: string | null;
  closingId!: string | null;
}

@ObjectType()
export class IncidentPosterConnection extends ConnectionType(IncidentPoster) {}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.FREE_TEXT })
@ObjectType({ simpleResolvers: true, description: 'One notifyIncident or resolveIncident call: the message and whom it reached.' })
export class IncidentMessage {
  @Field(() => ID) id!: string;
  @Field(() => IncidentMessageKind) kind!: IncidentMessageKind;
  @Field() text!: string;
  @Field(() => Int, { description: 'Posters this call sent a reply to.' }) reached!: number;
  @Field(() => Int, { description: 'Posters not reached for want of SERVICE consent (left alone).' }) notConsented!: number;
  @Field() sentBy!: string;
  @Field(() => DateTimeScalar) sentAt!: Date;
}

@Access({ roles: READ.agents, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'One public post of broadcastIncident on one monitored brand channel.' })
export class IncidentBroadcast {
  @Field(() => ID) brandChannelId!: string;
  @Field(() => Channel) channel!: Channel;
  @Field({ description: 'The brand channel\'s handle.' }) handle!: string;
  @Field() text!: string;
  @Field() postedBy!: string;
  @Field(() => DateTimeScalar) postedAt!: Date;
  incidentId!: string;
}

@InputType({ description: 'broadcastIncident: the text goes once to every monitored brand channel (a retry with the same text posts nothing twice).' })
export class BroadcastIncidentInput {
  @Field(() => ID) incidentId!: string;
  @Field({ description: 'The public post; it must fit the length limit of every monitored brand channel\'s channel.' }) text!: string;
}

@InputType()
export class NotifyIncidentInput {
  @Field(() => ID) incidentId!: string;
  @Field({ description: 'The approved message; it must fit the length limit of every channel it goes to (Twitter 280, SMS 160, ...).' })
  text!: string;
}

@InputType()
export class ResolveIncidentInput {
  @Field(() => ID) incidentId!: string;
  @Field({ description: 'The closing message, one reply per consented poster; the same length limits.' }) text!: string;
  @Field(() => String, { nullable: true, description: 'Resolution of the incident\'s escalation; default: the closing message.' })
  resolution?: string | null;
}
