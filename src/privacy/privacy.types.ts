import { Field, ObjectType } from 'type-graphql';
import { Access } from '../auth';
import { ConsentPurpose, ErasureAction, PersonalDataClass } from '../graphql';

/** One stored column that can hold personal data, as src/privacy/data-inventory.ts classifies it. */
@Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'A stored column that can hold personal data: what it is, what erasure does to it, and the consent purposes it serves.' })
export class DataInventoryEntry {
  @Field() table!: string;
  @Field() column!: string;
  @Field(() => PersonalDataClass) class!: PersonalDataClass;
  @Field(() => ErasureAction) onErasure!: ErasureAction;
  @Field(() => [ConsentPurpose]) purposes!: ConsentPurpose[];
}
