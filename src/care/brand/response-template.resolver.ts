import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { CAN } from '../../auth';
import type { RequestContext } from '../../context';
import { Channel, InteractionCategory } from '../../graphql';
import { ChannelLengthLimit, ResponseSuggestion, ResponseTemplate, ResponseTemplateInput } from './response-template.types';

/** The response library and channel length limits: agents read and use them, supervisors change them. */
@Resolver()
export class ResponseTemplateResolver {
  @Authorized(CAN.readCareRules)
  @Query(() => [ResponseTemplate], { description: 'agent+. Templates for a category (and those for any) and a channel (and those for every one).' })
  responseTemplates(
    @Ctx() ctx: RequestContext,
    @Arg('category', () => InteractionCategory, { nullable: true }) category?: InteractionCategory | null,
    @Arg('channel', () => Channel, { nullable: true }) channel?: Channel | null,
  ) {
    return ctx.services.responseTemplates.list(category ?? null, channel ?? null);
  }

  @Authorized(CAN.readCareRules)
  @Query(() => [ResponseSuggestion], {
    description: 'agent+. The templates that fit the interaction\'s category and reply channel (the conversation\'s current one), rendered for '
      + 'its customer, with length, the channel\'s limit and whether it fits. A post with private data: "take offline" templates first.',
  })
  responseSuggestions(
    @Arg('interactionId', () => ID) interactionId: string,
    @Ctx() ctx: RequestContext,
    @Arg('agentName', () => String, { nullable: true, description: 'Fills {agentName}; default: the token\'s subject.' }) agentName?: string | null,
  ) {
    return ctx.services.responseTemplates.suggestions(interactionId, agentName?.trim() || ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => ResponseTemplate, {
    description: 'supervisor+. Creates a template, or (with id) saves a new version. An unknown {placeholder} is BAD_USER_INPUT; a taken name CONFLICT.',
  })
  saveResponseTemplate(@Arg('input', () => ResponseTemplateInput) input: ResponseTemplateInput, @Ctx() ctx: RequestContext) {
    return ctx.services.responseTemplates.save(input, ctx.viewer.sub);
  }

  @Authorized(CAN.readCareRules)
  @Query(() => [ChannelLengthLimit], { description: 'agent+. The longest reply each channel takes.' })
  channelLengthLimits(@Ctx() ctx: RequestContext) {
    return ctx.services.responseTemplates.limits();
  }

  @Authorized(CAN.supervise)
  @Mutation(() => ChannelLengthLimit, { description: 'supervisor+. Changes a channel\'s reply length limit (1 .. 100,000).' })
  setChannelLengthLimit(
    @Arg('channel', () => Channel) channel: Channel,
    @Arg('maxLength', () => Int) maxLength: number,
    @Ctx() ctx: RequestContext,
  ) {
    return ctx.services.responseTemplates.setLimit(channel, maxLength, ctx.viewer.sub);
  }
}
