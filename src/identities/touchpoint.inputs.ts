import { Field, InputType, Int } from 'type-graphql';
import { ConsentPurpose, ConsentStatus, Platform, Touchpoint, DateTimeScalar, JSONScalar } from '../graphql';

@InputType({ description: 'A phone number in any common format; region reads national formats (default: DEFAULT_PHONE_REGION).' })
export class PhoneInput {
  @Field() number!: string;
  @Field(() => String, { nullable: true }) region?: string | null;
}

@InputType({ description: 'A social identity: platform plus a handle (with or without @) and/or a profile URL or the platform user id.' })
export class SocialHandleInput {
  @Field(() => Platform) platform!: Platform;
  @Field(() => String, { nullable: true }) handle?: string | null;
  @Field(() => String, { nullable: true }) externalUserId?: string | null;
  @Field(() => String, { nullable: true }) profileUrl?: string | null;
  @Field(() => Int, { nullable: true }) followerCount?: number | null;
  @Field(() => Boolean, { nullable: true }) verified?: boolean | null;
}

@InputType({ description: 'Names one identifier given in the same touchpoint: an email, a phone, or platform + handle.' })
export class IdentifierInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true, description: 'Region for a national phone format.' }) region?: string | null;
  @Field(() => Platform, { nullable: true }) platform?: Platform | null;
  @Field(() => String, { nullable: true }) handle?: string | null;
}

@InputType({ description: 'A consent decision given at the touchpoint.' })
export class TouchpointConsentInput {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus, { description: 'GRANTED, DENIED or REVOKED (UNKNOWN is not a decision).' }) status!: ConsentStatus;
  @Field(() => IdentifierInput, { nullable: true, description: 'The identifier it applies to; null: every identifier given in this touchpoint.' })
  identifier?: IdentifierInput | null;
  @Field(() => String, { nullable: true, description: 'The wording the customer agreed to.' }) wording?: string | null;
  @Field(() => String, { nullable: true }) wordingVersion?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) expiresAt?: Date | null;
}

@InputType({ description: 'Loyalty and value fields; merged into the customer\'s attributes (a given field replaces the stored one).' })
export class CustomerAttributesInput {
  @Field(() => String, { nullable: true }) loyaltyId?: string | null;
  @Field(() => String, { nullable: true }) loyaltyProgram?: string | null;
  @Field(() => Int, { nullable: true }) loyaltyPoints?: number | null;
  @Field(() => DateTimeScalar, { nullable: true }) memberSince?: Date | null;
  @Field(() => JSONScalar, { nullable: true, description: 'e.g. { "amount": 1234.5, "currency": "USD" }' }) lifetimeValue?: unknown;
  @Field(() => JSONScalar, { nullable: true, description: 'Further fields, as a JSON object.' }) extra?: unknown;
}

@InputType({ description: 'What a customer gave at one touchpoint. At least one email, phone or handle.' })
export class TouchpointInput {
  @Field(() => Touchpoint) touchpoint!: Touchpoint;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) city?: string | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => [String], { nullable: true }) emails?: string[] | null;
  @Field(() => [PhoneInput], { nullable: true }) phones?: PhoneInput[] | null;
  @Field(() => [SocialHandleInput], { nullable: true }) handles?: SocialHandleInput[] | null;
  @Field(() => [TouchpointConsentInput], { nullable: true }) consents?: TouchpointConsentInput[] | null;
  @Field(() => CustomerAttributesInput, { nullable: true }) attributes?: CustomerAttributesInput | null;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the customer gave it (default: now; at most 5 minutes ahead). Consents given there take effect then (ConsentEvent.effectiveAt); their recordedAt is when this service wrote them.',
  })
  occurredAt?: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe: the same key with the same content answers the first result and writes nothing; with other content: CONFLICT.',
  })
  idempotencyKey?: string | null;
}
