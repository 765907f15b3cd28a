// The public surface of src/care/brand/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { normaliseBrandHandle } from './brand-channel.handle';
export { createBrandChannelLoaders } from './brand-channel.loaders';
export { BrandChannelResolver, InteractionBrandSideResolver } from './brand-channel.resolver';
export { BRAND_CHANNEL_COLUMNS, type BrandChannelRef, BrandChannelService, loadBrandChannels } from './brand-channel.service';
export { BrandChannel } from './brand-channel.types';
export { DoNotEngageResolver, InteractionDeliveryResolver } from './do-not-engage.resolver';
export { DoNotEngageService } from './do-not-engage.service';
export { ReplyDeliveryService } from './reply-delivery.service';
export { replyLength } from './response-template.render';
export { ResponseTemplateResolver } from './response-template.resolver';
export { lengthLimits, MAX_TEMPLATE_TEXT, replyRules, ResponseTemplateService } from './response-template.service';
