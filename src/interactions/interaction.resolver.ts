import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Customer } from '../customers';
import { decodeCursor, encodeCursor, pageSize, toConnection, PersonalDataClass } from '../graphql';
import type { RequestContext } from '../context';
import { SocialIdentity } from '../identities';
import { Conversation, Escalation, Interaction, InteractionConnection } from './interaction.types';
import { Access, READ } from '../auth';

@Resolver(() => Interaction)
export class InteractionResolver {
  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer)
  customer(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(interaction.customerId);
  }

  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.IDENTIFIER })
  @FieldResolver(() => SocialIdentity, { nullable: true, description: 'The handle it came from, for social channels.' })
  socialIdentity(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return interaction.socialIdentityId ? ctx.loaders.socialIdentityById.load(interaction.socialIdentityId) : null;
  }

  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Conversation)
  conversation(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.conversationById.load(interaction.conversationId);
  }

  @Access({ roles: READ.readersAndIngest, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Escalation, { nullable: true })
  escalation(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return ctx.loaders.escalationByInteractionId.load(interaction.id);
  }
}

@Resolver(() => Conversation)
export class ConversationResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.PSEUDONYMOUS })
  @FieldResolver(() => Customer)
  customer(@Root() conversation: Conversation, @Ctx() ctx: RequestContext) {
    return ctx.loaders.customerById.load(conversation.customerId);
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => InteractionConnection, { description: 'The thread, oldest first.' })
  async interactions(
    @Root() conversation: Conversation,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const size = pageSize(first, 50);
    const rows = await ctx.loaders.interactionsByConversationId.load({ parentId: conversation.id, limit: size + 1, after: decodeCursor(after) });
    return toConnection(rows, size, (r) => encodeCursor(r.sortKey, r.id), () =>
      ctx.loaders.interactionCountByConversationId.load({ parentId: conversation.id }),
    );
  }
}

@Resolver(() => Escalation)
export class EscalationResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.FREE_TEXT })
  @FieldResolver(() => Interaction)
  interaction(@Root() escalation: Escalation, @Ctx() ctx: RequestContext) {
    return ctx.loaders.interactionById.load(escalation.interactionId);
  }
}
