import { Channel } from '../graphql/enums';

/** Longest outbound text the care desk accepts anywhere. */
export const MAX_OUTBOUND_TEXT = 10_000;

/** Characters a reply may have per channel (the platforms' post limits); channels not listed: MAX_OUTBOUND_TEXT. */
export const CHANNEL_TEXT_LIMITS: Readonly<Partial<Record<Channel, number>>> = {
  [Channel.TWITTER]: 280,
  [Channel.SMS]: 160,
  [Channel.INSTAGRAM]: 2200,
  [Channel.FACEBOOK]: 8000,
  [Channel.YOUTUBE]: 10_000,
};

export const textLimit = (channel: Channel): number => CHANNEL_TEXT_LIMITS[channel] ?? MAX_OUTBOUND_TEXT;
