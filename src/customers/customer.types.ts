import { Field, ID, ObjectType } from 'type-graphql';
import { Tier } from '../graphql/enums';
import { ConnectionType } from '../graphql/pagination';
import { DateTimeScalar } from '../graphql/scalars';
import { Access, READ } from '../auth/access';
import { PersonalDataClass } from '../graphql/enums';
import { Node } from './node.types';

/**
 * A person; identifiers, conversations and scores hang off it through field resolvers.
 * The scalars are `simple` (graphql-js' default resolver, no middleware per field): every one
 * is on the marketing allow-list (auth/marketing-guard.ts), and they carry no @Authorized. A new
 * field stays guarded unless it is marked so too.
 */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType({ implements: Node })
export class Customer {
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Field(() => ID, { simple: true }) id!: string;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.IDENTIFIER })
  @Field({ simple: true }) displayName!: string;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.PROFILING })
  @Field(() => Tier, { simple: true }) tier!: Tier;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Field(() => String, { nullable: true, simple: true }) city!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Field(() => String, { nullable: true, simple: true }) region!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Field(() => String, { nullable: true, simple: true }) country!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => DateTimeScalar, { simple: true }) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class CustomerConnection extends ConnectionType(Customer) {}
