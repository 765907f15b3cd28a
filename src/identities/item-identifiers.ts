import { DomainError } from '../graphql';
import type { Platform } from '../graphql';
import { isEmpty, normaliseIdentifiers, type NormalisedIdentifiers } from './identity-linker';

/** How an item of a bulk ingestion call (an interaction, a purchase) names its customer. */
export interface ItemIdentifierInput {
  customerId?: string | null;
  email?: string | null;
  phone?: string | null;
  platform?: Platform | null;
  handle?: string | null;
  externalUserId?: string | null;
  followerCount?: number | null;
}

/**
 * The item's identifiers, normalised, or the field and problem of the first bad one (a handle
 * without platform, an email that is not one, nothing naming the customer). Checks no database.
 * Usage: `const ids = itemIdentifiers(input, 'US'); if ('message' in ids) return fail(ids.field, ids.message);`
 */
export function itemIdentifiers(input: ItemIdentifierInput, region: string): NormalisedIdentifiers | { field: string; message: string } {
  if ((input.handle != null || input.externalUserId != null) && input.platform == null) return { field: 'platform', message: 'platform is required with a handle' };
  if (input.platform != null && input.handle == null && input.externalUserId == null) {
    return { field: 'handle', message: 'a handle or externalUserId is required with platform' };
  }
  let ids: NormalisedIdentifiers;
  try {
    ids = normaliseIdentifiers(
      {
        emails: input.email != null ? [input.email] : [],
        phones: input.phone != null ? [input.phone] : [],
        handles: input.platform != null
          ? [{ platform: input.platform, handle: input.handle, externalUserId: input.externalUserId, followerCount: input.followerCount }]
          : [],
      },
      region,
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const raw = String(error.details.field ?? 'handle');
    const field = raw.startsWith('emails') ? 'email' : raw.startsWith('phones') ? 'phone' : raw.endsWith('followerCount') ? 'followerCount' : 'handle';
    return { field, message: error.message.replace(/^(emails|phones|handles)\[0\](\.\w+)?/, field) };
  }
  if (input.customerId == null && isEmpty(ids)) return { field: 'customerId', message: 'name the customer: customerId, email, phone, or platform + handle' };
  return ids;
}
