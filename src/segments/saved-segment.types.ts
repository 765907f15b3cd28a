import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Access, READ } from '../auth';
import { ConsentPurpose, PersonalDataClass, DateTimeScalar, JSONScalar } from '../graphql';
import { SegmentFilter } from './segment.inputs';

/**
 * A segment kept current: its members are stored, and each customer who enters or leaves is a
 * SEGMENT_ENTERED / SEGMENT_LEFT event (docs/consent-and-segments.md, "Saved segments").
 * Readable by the roles that may use its purpose (auth/purpose-roles.ts).
 */
@Access({ roles: READ.segments, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ description: 'A segment kept current: members entering and leaving are SEGMENT_ENTERED / SEGMENT_LEFT events.' })
export class SavedSegment {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ConsentPurpose, { description: 'Members are reached for this purpose only: their identifiers are those it is granted for.' })
  purpose!: ConsentPurpose;
  @Field(() => JSONScalar, { description: 'The SegmentFilter as given (dates as ISO-8601 text).' })
  filter!: Record<string, unknown>;
  @Field(() => DateTimeScalar) createdAt!: Date;
  /** Not a GraphQL field: when the segment was last evaluated in full (null: not populated yet). */
  evaluatedAt!: Date | null;
}

@InputType()
export class SavedSegmentInput {
  @Field({ description: 'Unique; 1 to 200 characters. Saving the same name with the same filter and purpose again returns the saved segment (a retry); with another filter or purpose it is a CONFLICT.' })
  name!: string;
  @Field(() => SegmentFilter, { description: 'Who is in it: the filter of `segment`.' })
  filter!: SegmentFilter;
  @Field(() => ConsentPurpose, {
    defaultValue: ConsentPurpose.MARKETING,
    description: 'MARKETING (marketing), SERVICE (supervisor), PROFILING (admin); another is FORBIDDEN.',
  })
  purpose!: ConsentPurpose;
}
