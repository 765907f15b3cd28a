import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CAN, Access, READ } from '../../auth';
import type { RequestContext } from '../../context';
import { Interaction } from '../../interactions';
import { BrandChannel, BrandChannelInput } from './brand-channel.types';
import { PiiFinding } from '../rules';
import { PersonalDataClass } from '../../graphql';
import type { BrandChannelService } from './brand-channel.service';

/** The brand's own channels: agents read them, supervisors register, change and remove them. */
@Resolver()
export class BrandChannelResolver {
  constructor(private readonly brandChannelService: BrandChannelService) {}

  @Authorized(CAN.readCareRules)
  @Query(() => [BrandChannel], { description: 'agent+. The brand\'s own accounts, pages and forums, by channel and handle.' })
  brandChannels(
    @Arg('includeRemoved', { defaultValue: false, description: 'Also the removed ones (they keep their interactions).' }) includeRemoved: boolean,
  ) {
    return this.brandChannelService.list(includeRemoved);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => BrandChannel, {
    description: 'supervisor+. Registers a brand channel (or, with id, changes one). The same channel and normalised handle twice: CONFLICT.',
  })
  setBrandChannel(@Arg('input', () => BrandChannelInput) input: BrandChannelInput, @Ctx() ctx: RequestContext) {
    return this.brandChannelService.set(input, ctx.viewer.sub);
  }

  @Authorized(CAN.supervise)
  @Mutation(() => BrandChannel, {
    description: 'supervisor+. Removes a brand channel: new posts no longer match it; the interactions that reached it keep it.',
  })
  removeBrandChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.brandChannelService.remove(id, ctx.viewer.sub);
  }
}

@Resolver(() => Interaction)
export class InteractionBrandSideResolver {
  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => BrandChannel, { nullable: true, description: 'The brand channel the post reached (removed ones too).' })
  brandChannel(@Root() interaction: Interaction, @Ctx() ctx: RequestContext) {
    return interaction.brandChannelId ? ctx.loaders.brandChannelById.load(interaction.brandChannelId) : null;
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.CONTACT })
  @FieldResolver(() => [PiiFinding], {
    description: 'Private data found in a public inbound post (masked). Never linked to the customer: an agent may add it with recordTouchpoint.',
  })
  pii(@Root() interaction: Interaction) {
    return interaction.pii;
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => ID, { nullable: true, description: 'Replies: the response template the reply came from.' })
  templateId(@Root() interaction: Interaction) {
    return interaction.templateId;
  }

  @Access({ roles: READ.readers, dataClass: PersonalDataClass.OPERATIONAL })
  @FieldResolver(() => Int, { nullable: true, description: 'Replies: the version of that template.' })
  templateVersion(@Root() interaction: Interaction) {
    return interaction.templateVersion;
  }
}
