import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access, CAN } from '../auth';
import { PersonalDataClass, DateTimeScalar, pageSize } from '../graphql';
import type { RequestContext } from '../context';
import { Webhook, WebhookDeliveryConnection, WebhookInput } from './webhook.types';
import type { WebhookService } from './webhook.service';

@Resolver(() => Webhook)
export class WebhookResolver {
  constructor(private readonly webhookService: WebhookService) {}

  @Authorized(CAN.administer)
  @Query(() => [Webhook], { description: 'Every registered webhook (admin).' })
  webhooks() {
    return this.webhookService.list();
  }

  @Authorized(CAN.administer)
  @Mutation(() => Webhook, { description: 'Registers a webhook (admin). The answer carries the signing secret, shown this once.' })
  registerWebhook(@Arg('input', () => WebhookInput) input: WebhookInput, @Ctx() ctx: RequestContext) {
    return this.webhookService.register(input, ctx.viewer);
  }

  @Authorized(CAN.administer)
  @Mutation(() => Boolean, { description: 'Removes a webhook and its pending deliveries (admin); false when there was none.' })
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.webhookService.delete(id, ctx.viewer);
  }

  @Authorized(CAN.administer)
  @Access({ roles: ['admin'], dataClass: PersonalDataClass.OPERATIONAL })
  @Mutation(() => Int, {
    description: 'Queues again every event of the webhook that occurred at or after `since` and is not pending (admin, audited): same event ids, receivers deduplicate on them. Returns how many.',
  })
  redeliverWebhookEvents(@Arg('webhookId', () => ID) webhookId: string, @Arg('since', () => DateTimeScalar) since: Date, @Ctx() ctx: RequestContext) {
    return this.webhookService.redeliver(webhookId, since, ctx.viewer);
  }

  @Authorized(CAN.administer)
  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Deliveries, newest first, with attempts, last status and last error (admin).' })
  deliveries(
    @Root() webhook: Webhook,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return this.webhookService.deliveries(webhook.id, pageSize(first, 20), after);
  }
}
