import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Access } from '../auth/access';
import { ConsentPurpose, ConsentStatus, PersonalDataClass, Platform, Touchpoint } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

/** Current consent for one purpose, derived from the ledger. */
@ObjectType({ simpleResolvers: true })
export class Consent {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus) status!: ConsentStatus;
  @Field(() => DateTimeScalar, { nullable: true }) recordedAt!: Date | null;
  @Field(() => Touchpoint, { nullable: true }) source!: Touchpoint | null;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt!: Date | null;
}

/** One entry of the consent ledger. */
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
  @Field() recordedBy!: string;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The consent text as shown to the customer.' })
  wording!: string | null;
  @Field(() => String, { nullable: true, description: 'Version of the wording the customer saw (e.g. "privacy-2026-03").' })
  wordingVersion!: string | null;
}

/** An email address or phone number (E.164) given at a touchpoint. */
@ObjectType({ simpleResolvers: true })
export class ContactPoint {
  @Field(() => ID) id!: string;
  @Field() value!: string;
  @Field() verified!: boolean;
  @Field(() => Touchpoint) capturedVia!: Touchpoint;
  @Field(() => DateTimeScalar) capturedAt!: Date;
  customerId!: string;
  kind!: 'EMAIL' | 'PHONE';
}

@ObjectType({ simpleResolvers: true })
export class SocialIdentity {
  @Field(() => ID) id!: string;
  @Field(() => Platform) platform!: Platform;
  @Field({ description: 'Normalised, without a leading @.' }) handle!: string;
  @Field(() => String, { nullable: true }) externalUserId!: string | null;
  @Field(() => String, { nullable: true }) profileUrl!: string | null;
  @Field(() => Int, { nullable: true }) followerCount!: number | null;
  @Field() verified!: boolean;
  @Field(() => Touchpoint) capturedVia!: Touchpoint;
  @Field(() => DateTimeScalar) capturedAt!: Date;
  customerId!: string;
}
