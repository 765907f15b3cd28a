import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { badInput, Platform } from '../graphql';

// One place for the rules that make "the same identifier" mean the same string.
// Rules (domain.md, Identity): emails lower-cased and trimmed; phones in E.164;
// handles per platform, without @, case-folded where the platform ignores case,
// profile URLs reduced to the handle or the platform's user id.

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** `' ChadMSchaeffer@Gmail.com '` -> `chadmschaeffer@gmail.com`; BAD_USER_INPUT when not an email. */
export function normaliseEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput(field, `${field} "${raw.trim()}" is not an email address`);
  return email;
}

/** `'(313) 555-0142'` with region US -> `+13135550142`; BAD_USER_INPUT when it cannot be a phone number. */
export function normalisePhone(raw: string, defaultRegion: string, field = 'phone'): string {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isPossible()) {
    throw badInput(field, `${field} "${raw.trim()}" is not a phone number (region ${defaultRegion.toUpperCase()} assumed)`);
  }
  return parsed.number;
}

export interface NormalisedHandle {
  /** Normalised handle; for a URL that only carries a user id, the user id. */
  handle: string;
  /** The platform's stable user id when the input carried one. */
  externalUserId: string | null;
}

/** Host names (without www./m./mobile.) that belong to each platform, for profile URLs. */
const HOSTS: Partial<Record<Platform, string[]>> = {
  [Platform.TWITTER]: ['twitter.com', 'x.com'],
  [Platform.FACEBOOK]: ['facebook.com', 'fb.com'],
  [Platform.INSTAGRAM]: ['instagram.com'],
  [Platform.YOUTUBE]: ['youtube.com'],
  [Platform.LINKEDIN]: ['linkedin.com'],
  [Platform.TIKTOK]: ['tiktok.com'],
  [Platform.PINTEREST]: ['pinterest.com'],
};

/** Twitter/X handles: letters, digits, underscore, at most 15. */
const TWITTER_HANDLE = /^[a-z0-9_]{1,15}$/;
const GENERIC_HANDLE = /^[\p{L}\p{N}._-]{1,100}$/u;

/**
 * `'@ChadSchaeffer'` or `'https://twitter.com/ChadSchaeffer'` on TWITTER -> `{ handle: 'chadschaeffer' }`.
 * All supported platforms treat handles case-insensitively, so handles are lower-cased.
 */
export function normaliseHandle(platform: Platform, raw: string, defaultRegion = 'US', field = 'handle'): NormalisedHandle {
  const input = raw.trim();
  if (input === '') throw badInput(field, `${field} must not be empty`);
  if (platform === Platform.WHATSAPP) {
    // A WhatsApp identity is a phone number.
    return { handle: normalisePhone(input, defaultRegion, field), externalUserId: null };
  }
  const fromUrl = looksLikeUrl(input) ? handleFromUrl(platform, input, field) : null;
  if (fromUrl?.externalUserId) return fromUrl;
  const handle = (fromUrl?.handle ?? input).replace(/^@/, '').toLowerCase();
  const pattern = platform === Platform.TWITTER ? TWITTER_HANDLE : GENERIC_HANDLE;
  if (!pattern.test(handle)) throw badInput(field, `${field} "${input}" is not a valid ${platform} handle`);
  return { handle, externalUserId: null };
}

function looksLikeUrl(input: string): boolean {
  return /^https?:\/\//i.test(input) || /^([a-z0-9-]+\.)+[a-z]{2,}\//i.test(input);
}

function handleFromUrl(platform: Platform, input: string, field: string): NormalisedHandle {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(input) ? input : `https://${input}`);
  } catch {
    throw badInput(field, `${field} "${input}" is not a valid profile URL`);
  }
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  const hosts = HOSTS[platform];
  if (hosts && !hosts.includes(host)) {
    throw badInput(field, `${field} "${input}" is not a ${platform} profile URL`);
  }
  const parts = url.pathname.split('/').filter(Boolean);
  if (platform === Platform.FACEBOOK && parts[0] === 'profile.php') {
    const id = url.searchParams.get('id');
    if (id && /^\d+$/.test(id)) return { handle: id, externalUserId: id };
  }
  if (platform === Platform.YOUTUBE && parts[0] === 'channel' && parts[1]) {
    return { handle: parts[1], externalUserId: parts[1] };
  }
  if (platform === Platform.TWITTER && parts[0] === 'i' && parts[1] === 'user' && parts[2] && /^\d+$/.test(parts[2])) {
    return { handle: parts[2], externalUserId: parts[2] };
  }
  // linkedin.com/in/<h>, youtube.com/c/<h> or /user/<h>: the handle follows a fixed prefix.
  const skip = ['in', 'c', 'user'].includes(parts[0] ?? '') ? 1 : 0;
  const handle = parts[skip];
  if (!handle) throw badInput(field, `${field} "${input}" has no handle in its path`);
  return { handle: decodeURIComponent(handle), externalUserId: null };
}
