import { Arg, Authorized, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../auth';
import { Customer } from '../customers';
import { Channel, decodeCursor, encodeCursor, pageSize, toConnection, PersonalDataClass } from '../graphql';
import type { RequestContext } from '../context';
import { ConversationConnection, Escalation, InteractionConnection } from './interaction.types';

@Resolver(() => Customer)
export class CustomerInteractionsResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => InteractionConnection, { description: 'Newest first, across every channel unless one is given.' })
  async interactions(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('channel', () => Channel, { nullable: true }) channel?: Channel,
  ) {
    const size = pageSize(first, 20);
    const rows = await ctx.loaders.interactionsByCustomerId.load({
      parentId: customer.id, limit: size + 1, after: decodeCursor(after), filter: channel,
    });
    return toConnection(rows, size, (r) => encodeCursor(r.sortKey, r.id), () =>
      ctx.loaders.interactionCountByCustomerId.load({ parentId: customer.id, filter: channel }),
    );
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => ConversationConnection, { description: 'Most recently active first.' })
  async conversations(
    @Root() customer: Customer,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const size = pageSize(first, 20);
    const rows = await ctx.loaders.conversationsByCustomerId.load({ parentId: customer.id, limit: size + 1, after: decodeCursor(after) });
    return toConnection(rows, size, (r) => encodeCursor(r.sortKey, r.id), () =>
      ctx.loaders.conversationCountByCustomerId.load({ parentId: customer.id }),
    );
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => [Escalation])
  openEscalations(@Root() customer: Customer, @Ctx() ctx: RequestContext) {
    return ctx.loaders.openEscalationsByCustomerId.load(customer.id);
  }
}
