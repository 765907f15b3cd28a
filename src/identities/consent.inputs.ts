import { Field, ID, InputType } from 'type-graphql';
import { ConsentPurpose, ConsentStatus, Touchpoint, DateTimeScalar } from '../graphql';

/** One consent decision for one identity; withdrawing is the same call with status REVOKED. */
@InputType()
export class SetConsentInput {
  @Field(() => ID, { nullable: true, description: 'Exactly one of socialIdentityId and contactPointId.' })
  socialIdentityId?: string | null;
  @Field(() => ID, { nullable: true }) contactPointId?: string | null;
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus, { description: 'GRANTED, DENIED or REVOKED (UNKNOWN and EXPIRED are derived, never set).' })
  status!: ConsentStatus;
  @Field(() => Touchpoint, { description: 'Where the customer gave or withdrew it.' }) source!: Touchpoint;
  @Field(() => String, { nullable: true, description: 'The consent text as shown to the customer.' })
  wording?: string | null;
  @Field(() => String, { nullable: true, description: 'Version of the wording the customer saw (e.g. "privacy-2026-03"), 1-100 characters.' })
  wordingVersion?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Only with GRANTED; must be in the future.' })
  expiresAt?: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe: the same key with the same decision answers the first result and writes nothing; with another: CONFLICT.',
  })
  idempotencyKey?: string | null;
}
