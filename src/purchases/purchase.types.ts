import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { Access } from '../auth';
import type { Role } from '../auth';
import { Channel, ConsentPurpose, PersonalDataClass, Platform, ConnectionType, DateTimeScalar, Stored } from '../graphql';

/**
 * Who reads what a customer bought: agents and above, and marketing on a segment member while the
 * customer holds MARKETING (the declared purpose, applied by auth/field-guard.ts). Viewers do not: purchases are not
 * part of the plain 360.
 */
export const PURCHASE_READERS: Role[] = ['agent', 'marketing'];
/** The ingestion job reads back what identifies what it wrote (id, time, channel). */
const READERS_AND_INGEST: Role[] = [...PURCHASE_READERS, 'ingest'];

@Access({ roles: PURCHASE_READERS, purpose: ConsentPurpose.MARKETING, dataClass: PersonalDataClass.PROFILING })
@ObjectType({ simpleResolvers: true, description: 'Something the customer bought (recordPurchases).' })
export class Purchase {
  @Access({ roles: READERS_AND_INGEST, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID) id!: string;
  @Stored('product', 'text')
  @Field({ description: 'As recorded (trimmed); filters and tier rules match it case-insensitively.' }) product!: string;
  @Stored('category', 'text')
  @Field(() => String, { nullable: true }) category!: string | null;
  @Stored((p) => `${p}.amount::float8`, 'plain')
  @Field(() => Float, { nullable: true, description: 'In `currency`; null for a purchase recorded without an amount.' }) amount!: number | null;
  @Stored((p) => `${p}.currency::text`, 'text')
  @Field(() => String, { nullable: true, description: 'ISO 4217 code, upper case; set exactly when amount is.' }) currency!: string | null;
  @Access({ roles: READERS_AND_INGEST, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('purchased_at', 'date')
  @Field(() => DateTimeScalar) purchasedAt!: Date;
  @Access({ roles: READERS_AND_INGEST, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('channel', 'quoted')
  @Field(() => Channel, { nullable: true }) channel!: Channel | null;
  @Stored('customer_id') customerId!: string;
}

@ObjectType({ simpleResolvers: true })
export class PurchaseConnection extends ConnectionType(Purchase) {}

@InputType({
  description: 'One purchase to record. Name the customer by customerId or by any identifier (email, phone, platform + handle), as for interactions.',
})
/**
 * Its fields are `declare`d: with ES2022 class fields every property would be defined on
 * `new PurchaseInput()` as undefined, and type-graphql, which builds one instance per input, then
 * deletes each absent one, leaving 1,000 objects per bulk call in slow dictionary mode (their
 * conversion cost twice as much, and every later read of them more). Declared, an instance holds
 * only the fields the caller sent.
 */
export class PurchaseInput {
  @Field({ description: '1-255 characters. A retry with the same key and content returns the first result; other content is CONFLICT.' })
  declare idempotencyKey: string;

  @Field(() => ID, { nullable: true }) declare customerId?: string | null;
  @Field(() => String, { nullable: true }) declare email?: string | null;
  @Field(() => String, { nullable: true, description: 'E.164 or a national format of the default region.' }) declare phone?: string | null;
  @Field(() => Platform, { nullable: true, description: 'With handle or externalUserId.' }) declare platform?: Platform | null;
  @Field(() => String, { nullable: true, description: 'With or without @, or a profile URL.' }) declare handle?: string | null;
  @Field(() => String, { nullable: true }) declare externalUserId?: string | null;
  @Field(() => String, { nullable: true, description: 'Name for a customer created from an unknown identifier.' }) declare displayName?: string | null;

  @Field({ description: '1-200 characters (trimmed).' }) declare product: string;
  @Field(() => String, { nullable: true, description: '1-100 characters (trimmed).' }) declare category?: string | null;
  @Field(() => Float, { nullable: true, description: '0 or more, at most 4 decimals; requires currency.' }) declare amount?: number | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217 code, three letters (case-insensitive); requires amount.' }) declare currency?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Default: now; not in the future.' }) declare purchasedAt?: Date | null;
  @Field(() => Channel, { nullable: true, description: 'Where it was bought (IN_STORE, a social shop, ...).' }) declare channel?: Channel | null;
}
