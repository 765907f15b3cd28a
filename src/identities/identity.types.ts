import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConsentPurpose, ConsentStatus, PersonalDataClass, Platform, Touchpoint, DateTimeScalar, Stored } from '../graphql';
import { Access, READ } from '../auth';

/** Current consent for one purpose, derived from the ledger. */
@Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class Consent {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus) status!: ConsentStatus;
  @Field(() => DateTimeScalar, { nullable: true }) recordedAt!: Date | null;
  @Field(() => Touchpoint, { nullable: true }) source!: Touchpoint | null;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt!: Date | null;
}

/** One entry of the consent ledger. */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class ConsentEvent {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus) status!: ConsentStatus;
  @Field(() => DateTimeScalar, { description: 'When this service recorded it (its own clock; what consents(asOf:) reads by).' })
  recordedAt!: Date;
  @Access({ roles: ['viewer', 'agent', 'supervisor', 'admin'], dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, {
    description: 'When the customer gave it (a touchpoint imported with occurredAt: then; otherwise recordedAt). Among the decisions recorded by an instant, the one given last counts.',
  })
  effectiveAt!: Date;
  @Field(() => Touchpoint) source!: Touchpoint;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field() recordedBy!: string;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The consent text as shown to the customer.' })
  wording!: string | null;
  @Field(() => String, { nullable: true, description: 'Version of the wording the customer saw (e.g. "privacy-2026-03").' })
  wordingVersion!: string | null;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID, { nullable: true, description: 'The inbound message it came from (an opt-out keyword such as STOP); null for any other decision.' })
  interactionId!: string | null;
}

/** An email address or phone number (E.164) given at a touchpoint. */
@Access({ roles: READ.readersAndMarketing, dataClass: PersonalDataClass.CONTACT })
@ObjectType({ simpleResolvers: true })
export class ContactPoint {
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID) id!: string;
  @Stored('value', 'text')
  @Field() value!: string;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('verified', 'plain')
  @Field() verified!: boolean;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('captured_via', 'quoted')
  @Field(() => Touchpoint) capturedVia!: Touchpoint;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('captured_at', 'date')
  @Field(() => DateTimeScalar) capturedAt!: Date;
  @Stored('customer_id') customerId!: string;
  @Stored('kind') kind!: 'EMAIL' | 'PHONE';
}

@Access({ roles: READ.holders, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType({ simpleResolvers: true })
export class SocialIdentity {
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID) id!: string;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('platform', 'quoted')
  @Field(() => Platform) platform!: Platform;
  @Stored('handle', 'text')
  @Field({ description: 'Normalised, without a leading @.' }) handle!: string;
  @Stored('external_user_id', 'text')
  @Field(() => String, { nullable: true }) externalUserId!: string | null;
  @Stored('profile_url', 'text')
  @Field(() => String, { nullable: true }) profileUrl!: string | null;
  @Access({ dataClass: PersonalDataClass.PROFILING })
  @Stored('follower_count', 'plain')
  @Field(() => Int, { nullable: true }) followerCount!: number | null;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('verified', 'plain')
  @Field() verified!: boolean;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('captured_via', 'quoted')
  @Field(() => Touchpoint) capturedVia!: Touchpoint;
  @Access({ dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('captured_at', 'date')
  @Field(() => DateTimeScalar) capturedAt!: Date;
  @Stored('customer_id') customerId!: string;
}
