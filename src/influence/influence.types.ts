import { Field, Float, ObjectType } from 'type-graphql';
import { Platform } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';

@ObjectType({ simpleResolvers: true })
export class InfluenceScore {
  @Field(() => Float, { description: '1 .. 10' }) score!: number;
  @Field(() => String, { nullable: true, description: 'null: overall' }) topic!: string | null;
  @Field(() => Platform, { nullable: true, description: 'null: across platforms' }) platform!: Platform | null;
  @Field({ description: 'Who computed it.' }) source!: string;
  @Field(() => DateTimeScalar) measuredAt!: Date;
  @Field(() => Float, { nullable: true, description: 'Change against the previous score of the same topic/platform.' })
  trend!: number | null;
  customerId!: string;
}

@ObjectType({ simpleResolvers: true })
export class PriorityReason {
  @Field() factor!: string;
  @Field(() => Float) contribution!: number;
  @Field() detail!: string;
}

@ObjectType({ simpleResolvers: true })
export class Priority {
  @Field(() => Float) score!: number;
  @Field(() => [PriorityReason]) reasons!: PriorityReason[];
}
