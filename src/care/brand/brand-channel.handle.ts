import { badInput, Channel, Platform } from '../../graphql';
import { normaliseEmail, normaliseHandle, normalisePhone } from '../../identities';

/** Channels whose brand presence is a place on the web (a forum, a blog): identified by URL. */
const URL_CHANNELS: ReadonlySet<Channel> = new Set([Channel.FORUM, Channel.BLOG, Channel.REVIEW_SITE, Channel.OTHER]);
const PHONE_CHANNELS: ReadonlySet<Channel> = new Set([Channel.PHONE, Channel.SMS, Channel.WHATSAPP]);

/** `https://www.Community.Acme.com/Forum/` -> `community.acme.com/forum`. */
function normaliseUrl(raw: string, field: string): string {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw badInput(field, `${field} "${raw}" is not a URL`);
  }
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  const path = decodeURIComponent(url.pathname).replace(/\/+$/, '').toLowerCase();
  return `${host}${path}`;
}

/**
 * The brand's handle on a channel, normalised as customer handles are (identities/normalise.ts):
 * social platforms by normaliseHandle, email addresses and phone numbers by their normalisers,
 * forums, blogs and review sites by URL (host and path, lower case).
 * Usage: `normaliseBrandHandle(Channel.TWITTER, 'https://x.com/AcmeCare', 'US')` -> `'acmecare'`
 */
export function normaliseBrandHandle(channel: Channel, raw: string, region: string, field = 'handle'): string {
  const input = raw.trim();
  if (input === '' || input.length > 500) throw badInput(field, `${field} must be 1-500 characters`);
  if (channel === Channel.EMAIL) return normaliseEmail(input, field);
  if (PHONE_CHANNELS.has(channel)) return normalisePhone(input, region, field);
  if (URL_CHANNELS.has(channel) && /[./]/.test(input)) return normaliseUrl(input, field);
  const platform = (Object.values(Platform) as string[]).includes(channel) ? (channel as unknown as Platform) : Platform.OTHER;
  return normaliseHandle(platform, input, region, field).handle;
}
