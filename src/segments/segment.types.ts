import { Field, ObjectType } from 'type-graphql';
import { Customer } from '../customers';
import { ConnectionType, PersonalDataClass } from '../graphql';
import { ContactPoint, SocialIdentity } from '../identities';
import { Access, READ } from '../auth';

/**
 * A customer in a segment with only the identifiers whose consent for the requested
 * purpose is GRANTED and unexpired at query time. For a marketing-only token the customer's
 * own identifier fields are FORBIDDEN (their declared rules, auth/field-guard.ts): these lists are the only way.
 */
@Access({ roles: READ.segments, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType()
export class SegmentMember {
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => Customer) customer!: Customer;
  @Field(() => [SocialIdentity]) identities!: SocialIdentity[];
  @Access({ dataClass: PersonalDataClass.CONTACT })
  @Field(() => [ContactPoint]) emails!: ContactPoint[];
  @Access({ dataClass: PersonalDataClass.CONTACT })
  @Field(() => [ContactPoint], { description: 'E.164' }) phones!: ContactPoint[];
}

@ObjectType()
export class SegmentMemberConnection extends ConnectionType(SegmentMember) {}
