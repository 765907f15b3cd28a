import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Access, READ } from '../auth';
import { EventType } from '../events';
import { ConsentPurpose, PersonalDataClass, ConnectionType, DateTimeScalar } from '../graphql';

@Access({ roles: READ.admins, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'An endpoint that receives signed JSON POSTs for the chosen event types (admin only).' })
export class Webhook {
  @Field(() => ID) id!: string;
  @Field() url!: string;
  @Field(() => [EventType]) events!: EventType[];
  @Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
  @Field(() => ConsentPurpose, {
    nullable: true,
    description: 'What the receiver uses the data for: its payloads carry a customer\'s emails, phones and handles only where the customer has granted this purpose at delivery. Null: ids only, never identifiers.',
  })
  purpose!: ConsentPurpose | null;
  @Field() active!: boolean;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => String, {
    nullable: true,
    description: 'The signing secret (HMAC-SHA256 over "<timestamp>.<body>"): returned once, by registerWebhook; null afterwards (it is stored encrypted).',
  })
  secret!: string | null;
}

@Access({ roles: READ.admins, dataClass: PersonalDataClass.OPERATIONAL })
@ObjectType({ simpleResolvers: true, description: 'One event sent (or being sent) to one webhook.' })
export class WebhookDelivery {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The event id, also in the x-crm-event-id header and the body: receivers deduplicate on it.' }) eventId!: string;
  @Field(() => EventType) eventType!: EventType;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null when it got no response.' }) lastStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) deliveredAt!: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due; null once delivered or given up.' }) nextAttemptAt!: Date | null;
}

@ObjectType()
export class WebhookDeliveryConnection extends ConnectionType(WebhookDelivery) {}

@InputType()
export class WebhookInput {
  @Field({ description: 'https in production; must not resolve to a loopback, private or link-local address (unless WEBHOOK_ALLOW_PRIVATE=true).' })
  url!: string;

  @Field(() => [EventType], { description: 'At least one event type.' })
  events!: EventType[];

  @Field(() => ConsentPurpose, {
    nullable: true,
    description: 'MARKETING (marketing role), SERVICE (supervisor), PROFILING (admin); another is FORBIDDEN. Omitted or null: payloads carry ids only, no identifiers.',
  })
  purpose?: ConsentPurpose | null;
}
