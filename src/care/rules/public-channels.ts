import { Channel } from '../../graphql';

// Ingestion (a post's default) and the desk (a reply's default) both read it; it sits in rules/,
// below both rooms, so the desk need not import intake (intake imports the desk).
/** Channels whose posts are public unless the caller says otherwise (WhatsApp is private messaging). */
export const PUBLIC_CHANNELS: ReadonlySet<Channel> = new Set([
  Channel.TWITTER, Channel.FACEBOOK, Channel.INSTAGRAM, Channel.YOUTUBE, Channel.LINKEDIN, Channel.TIKTOK,
  Channel.PINTEREST, Channel.FORUM, Channel.BLOG, Channel.REVIEW_SITE,
]);
