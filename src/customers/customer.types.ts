import { Field, ID, ObjectType } from 'type-graphql';
import { Tier, ConnectionType, DateTimeScalar, PersonalDataClass, Stored } from '../graphql';
import { Access, READ } from '../auth';
import { Node } from './node.types';

/**
 * A person; identifiers, conversations and scores hang off it through field resolvers.
 * Each stored scalar names its column with @Stored: the loaders, the compiled customer 360 read
 * and the response fast path all read that declaration (docs/architecture.md, "Adding a stored
 * Customer field"). The scalars are `simple` (graphql-js' default resolver, no middleware per
 * field): every one is declared readable by marketing (@Access, auth/field-guard.ts), and they carry no
 * @Authorized. A new field stays guarded unless it is marked so too.
 */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType({ implements: Node })
export class Customer {
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Stored('id', 'quoted')
  @Field(() => ID, { simple: true }) id!: string;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.IDENTIFIER })
  @Stored('display_name', 'text')
  @Field({ simple: true }) displayName!: string;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.PROFILING })
  @Stored('tier', 'quoted')
  @Field(() => Tier, { simple: true }) tier!: Tier;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Stored('city', 'text')
  @Field(() => String, { nullable: true, simple: true }) city!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Stored('region', 'text')
  @Field(() => String, { nullable: true, simple: true }) region!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.CONTACT })
  @Stored('country', 'text')
  @Field(() => String, { nullable: true, simple: true }) country!: string | null;
  @Access({ roles: READ.holders, dataClass: PersonalDataClass.OPERATIONAL })
  @Stored('created_at', 'date')
  @Field(() => DateTimeScalar, { simple: true }) createdAt!: Date;
  /** Loyalty and value fields; its GraphQL field is a resolver (identities/customer-identity.resolver.ts). */
  @Stored('attributes') attributes?: Record<string, unknown>;
}

@ObjectType({ simpleResolvers: true })
export class CustomerConnection extends ConnectionType(Customer) {}
