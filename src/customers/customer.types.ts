import { Field, ID, ObjectType } from 'type-graphql';
import { Tier } from '../graphql/enums';
import { ConnectionType } from '../graphql/pagination';
import { DateTimeScalar } from '../graphql/scalars';
import { Node } from './node.types';

/**
 * A person; identifiers, conversations and scores hang off it through field resolvers.
 * The scalars are `simple` (graphql-js' default resolver, no middleware per field): every one
 * is on the marketing allow-list (auth/marketing-guard.ts), and they carry no @Authorized. A new
 * field stays guarded unless it is marked so too.
 */
@ObjectType({ implements: Node })
export class Customer {
  @Field(() => ID, { simple: true }) id!: string;
  @Field({ simple: true }) displayName!: string;
  @Field(() => Tier, { simple: true }) tier!: Tier;
  @Field(() => String, { nullable: true, simple: true }) city!: string | null;
  @Field(() => String, { nullable: true, simple: true }) region!: string | null;
  @Field(() => String, { nullable: true, simple: true }) country!: string | null;
  @Field(() => DateTimeScalar, { simple: true }) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class CustomerConnection extends ConnectionType(Customer) {}
