import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { PiiKind } from './pii-scan';
import { Access, READ } from '../../auth';
import { PersonalDataClass } from '../../graphql';

registerEnumType(PiiKind, {
  name: 'PiiKind',
  description: 'Private data a public post may show: card numbers (Luhn-checked), emails, phones, account/order numbers, postal addresses.',
});

@Access({ roles: READ.readers, dataClass: PersonalDataClass.CONTACT })
@ObjectType({ simpleResolvers: true, description: 'Private data found in a public inbound post. Only the masked value is kept with the finding.' })
export class PiiFinding {
  @Field(() => PiiKind) kind!: PiiKind;
  @Field({ description: 'All but a few characters replaced by *, e.g. **** **** **** 1111.' }) masked!: string;
}

export { PiiKind };
