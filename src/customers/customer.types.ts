import { Field, ID, ObjectType } from 'type-graphql';
import { Tier } from '../graphql/enums';
import { ConnectionType } from '../graphql/pagination';
import { DateTimeScalar } from '../graphql/scalars';

/** A person; identifiers, conversations and scores hang off it through field resolvers. */
@ObjectType()
export class Customer {
  @Field(() => ID) id!: string;
  @Field() displayName!: string;
  @Field(() => Tier) tier!: Tier;
  @Field(() => String, { nullable: true }) city!: string | null;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String, { nullable: true }) country!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType()
export class CustomerConnection extends ConnectionType(Customer) {}
