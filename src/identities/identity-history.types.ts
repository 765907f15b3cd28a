import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Customer } from '../customers';
import { Platform, Touchpoint, ConnectionType, DateTimeScalar, PersonalDataClass } from '../graphql';
import { Access, READ } from '../auth';

@Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType({ simpleResolvers: true })
export class HandleRef {
  @Field(() => Platform) platform!: Platform;
  @Field() handle!: string;
}

/** Audit of one recordTouchpoint: who, when, where, and what it linked. */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType({ simpleResolvers: true })
export class TouchpointEvent {
  @Field(() => ID) id!: string;
  @Field(() => Touchpoint) touchpoint!: Touchpoint;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field(() => DateTimeScalar, { description: 'When the customer gave it (recordedAt unless the touchpoint was imported with occurredAt).' })
  occurredAt!: Date;
  @Field({ description: 'The token subject that recorded it.' }) recordedBy!: string;
  @Field({ description: 'True when this touchpoint created the customer.' }) createdCustomer!: boolean;
  @Access({ dataClass: PersonalDataClass.CONTACT })
  @Field(() => [String], { description: 'Normalised emails given.' }) emails!: string[];
  @Access({ dataClass: PersonalDataClass.CONTACT })
  @Field(() => [String], { description: 'E.164 phones given.' }) phones!: string[];
  @Field(() => [HandleRef]) handles!: HandleRef[];
  @Field(() => Int, { description: 'Identifiers given that the customer already had (the link).' }) matchedIdentifiers!: number;
  @Field(() => Int, { description: 'Identifiers that were new and were linked.' }) newIdentifiers!: number;
  @Field(() => Int) consentsRecorded!: number;
  @Field(() => [String], { description: 'Attribute names given.' }) attributeKeys!: string[];
  customerId!: string;
}

@ObjectType()
export class TouchpointEventConnection extends ConnectionType(TouchpointEvent) {}

@Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'Rows of one table that moved in a merge.' })
export class MovedRows {
  @Field() table!: string;
  @Field(() => Int) count!: number;
}

/** A merge of one customer into another, and its undo. */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
@ObjectType()
export class Merge {
  @Field(() => ID) id!: string;
  @Field(() => ID) mergedCustomerId!: string;
  @Field(() => DateTimeScalar) mergedAt!: Date;
  @Field() mergedBy!: string;
  @Field(() => DateTimeScalar, { nullable: true }) undoneAt!: Date | null;
  @Field(() => String, { nullable: true }) undoneBy!: string | null;
  @Field(() => [MovedRows], { description: 'What moved from the merged customer to the survivor, per table.' }) moved!: MovedRows[];
  @Field(() => [MovedRows], { description: 'On undo: rows added after the merge that went back with the merged customer.' })
  returnedAfterMerge!: MovedRows[];
  survivorId!: string;
}

/** A customer who may be the same person, with the evidence; never merged automatically. */
@Access({ roles: READ.readers, dataClass: PersonalDataClass.IDENTIFIER })
@ObjectType()
export class DuplicateCandidate {
  @Field(() => Customer) customer!: Customer;
  @Field(() => [String], { description: 'Readable reasons, strongest first.' }) evidence!: string[];
  @Field(() => Int, { description: 'Sum of the evidence weights; candidates are ordered by it.' }) score!: number;
}
