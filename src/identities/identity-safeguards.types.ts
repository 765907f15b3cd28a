import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Access, READ } from '../auth';
import { PersonalDataClass, Platform, DateTimeScalar } from '../graphql';
import type { IdentifierKind as Kind } from './identity-rules';

export enum IdentifierKind { EMAIL = 'EMAIL', PHONE = 'PHONE', HANDLE = 'HANDLE' }
registerEnumType(IdentifierKind, { name: 'IdentifierKind', description: 'An email address, a phone number, or a social handle (with its platform).' });

/** A value that never links customers (docs/identity.md, "Blocked identifiers"). */
@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true })
export class BlockedIdentifier {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'EMAIL, PHONE or HANDLE.' }) kind!: Kind;
  @Field(() => Platform, { nullable: true, description: 'HANDLE only; null on a pattern: every platform.' }) platform!: Platform | null;
  @Access({ dataClass: PersonalDataClass.IDENTIFIER })
  @Field({ description: 'The normalised value, or the pattern (which must match the whole normalised value, ignoring case).' })
  value!: string;
  @Field({ description: 'True when value is a pattern.' }) isPattern!: boolean;
  @Field() reason!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Access({ dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field({ description: 'The token subject that blocked it.' }) createdBy!: string;
}

@InputType({ description: 'Give value (normalised like at a touchpoint) or pattern (RE2 syntax, matched against the whole normalised value, ignoring case; one that matches the empty value is refused). HANDLE needs platform with a value; a HANDLE pattern without one applies to every platform.' })
export class BlockIdentifierInput {
  @Field(() => IdentifierKind) kind!: Kind;
  @Field(() => Platform, { nullable: true }) platform?: Platform | null;
  @Field(() => String, { nullable: true }) value?: string | null;
  @Field(() => String, { nullable: true, description: 'E.g. `none@.*` or `.*@example\\.invalid`.' }) pattern?: string | null;
  @Field(() => String, { nullable: true, description: 'Region to read a national phone number in (default: the configured region).' }) region?: string | null;
  @Field({ description: '1-200 characters: why it must never link (kept with the block).' }) reason!: string;
}

@InputType({ description: 'One email, phone or handle of customerId, normalised like at a touchpoint (platform with HANDLE).' })
export class DetachIdentifierInput {
  @Field(() => ID) customerId!: string;
  @Field(() => IdentifierKind) kind!: Kind;
  @Field() value!: string;
  @Field(() => Platform, { nullable: true }) platform?: Platform | null;
  @Field(() => String, { nullable: true }) region?: string | null;
  @Field(() => String, { nullable: true, description: '1-255 characters. A retry with the same key and input answers the first call\'s new customer; other input is CONFLICT.' })
  idempotencyKey?: string | null;
}

@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'The rows of one customer-owned table a merge would move.' })
export class MergeMove {
  @Field() table!: string;
  @Field(() => Int) rows!: number;
}

/** What mergeCustomers(survivorId, mergedId) would do now; nothing is written. */
@Access({ roles: READ.supervisors, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType()
export class MergePreview {
  @Field(() => [MergeMove], { description: 'Every table the merge moves (src/identities/customer-owned-tables.ts), with the rows it would move.' })
  moves!: MergeMove[];
  @Access({ dataClass: PersonalDataClass.PROFILING })
  @Field(() => [String], { description: 'Why the merge would be refused, or what a person should look at first (tiers, consents that disagree).' })
  conflicts!: string[];
  survivorId!: string;
  mergedId!: string;
}
