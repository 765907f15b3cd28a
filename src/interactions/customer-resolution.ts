import type { EntityManager } from 'typeorm';
import { Channel, Tier, Touchpoint } from '../graphql/enums';
import { linkIdentifiers, type NormalisedIdentifiers } from '../identities/identity-linker';
import type { ItemError, PreparedItem } from './ingest.validate';

// Finds the customer of every item of a bulk call with set-based lookups; only items that
// bring an identifier nobody owns yet go through the per-item identity linker.

export interface ResolvedCustomer {
  customerId: string;
  socialIdentityId: string | null;
  tier: Tier;
}

/** Where an interaction on a channel counts as having been captured (the identity touchpoint). */
export function touchpointOf(channel: Channel): Touchpoint {
  switch (channel) {
    case Channel.PHONE: return Touchpoint.SERVICE_CALL;
    case Channel.CHAT: return Touchpoint.CHAT;
    case Channel.IN_STORE: return Touchpoint.IN_STORE;
    case Channel.EMAIL: case Channel.SMS: case Channel.LETTER: case Channel.OTHER: return Touchpoint.OTHER;
    default: return Touchpoint.SOCIAL_MESSAGE;
  }
}

const keysOf = (ids: NormalisedIdentifiers) => [
  ...ids.emails.map((v) => `EMAIL:${v}`),
  ...ids.phones.map((v) => `PHONE:${v}`),
  ...ids.handles.map((h) => `${h.platform}:${h.handle}`),
];

interface Owner {
  customerId: string;
  socialIdentityId: string | null;
}

/** Owners of every identifier of the call, by `EMAIL:x` / `PHONE:x` / `<PLATFORM>:<handle>`. One statement. */
async function ownersOf(m: EntityManager, items: PreparedItem[]): Promise<Map<string, Owner>> {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const handles = new Map<string, { platform: string; handle: string; ext: string | null }>();
  for (const item of items) {
    item.ids.emails.forEach((e) => emails.add(e));
    item.ids.phones.forEach((p) => phones.add(p));
    for (const h of item.ids.handles) handles.set(`${h.platform}:${h.handle}`, { platform: h.platform, handle: h.handle, ext: h.externalUserId });
  }
  const owners = new Map<string, Owner>();
  if (emails.size + phones.size + handles.size === 0) return owners;
  const hs = [...handles.values()];
  const rows: { key: string; customerId: string; socialIdentityId: string | null }[] = await m.query(
    `SELECT 'EMAIL:' || value AS key, customer_id AS "customerId", NULL::uuid AS "socialIdentityId"
       FROM contact_points WHERE kind = 'EMAIL' AND value = ANY($1::text[])
     UNION ALL
     SELECT 'PHONE:' || value, customer_id, NULL FROM contact_points WHERE kind = 'PHONE' AND value = ANY($2::text[])
     UNION ALL
     SELECT h.platform || ':' || h.handle, s.customer_id, s.id
       FROM unnest($3::text[], $4::text[], $5::text[]) AS h(platform, handle, ext)
       JOIN social_identities s ON s.platform = h.platform AND s.handle = h.handle
     UNION ALL
     SELECT h.platform || ':' || h.handle, s.customer_id, s.id
       FROM unnest($3::text[], $4::text[], $5::text[]) AS h(platform, handle, ext)
       JOIN social_identities s ON s.platform = h.platform AND s.external_user_id = h.ext AND s.handle <> h.handle`,
    [[...emails], [...phones], hs.map((h) => h.platform), hs.map((h) => h.handle), hs.map((h) => h.ext)],
  );
  for (const r of rows) owners.set(r.key, { customerId: r.customerId, socialIdentityId: r.socialIdentityId });
  return owners;
}

/** The customers named by id: merged ones answer with their survivor. */
async function customersById(m: EntityManager, ids: string[]): Promise<Map<string, { id: string; tier: Tier }>> {
  const found = new Map<string, { id: string; tier: Tier }>();
  if (ids.length === 0) return found;
  const rows: { asked: string; id: string; tier: Tier }[] = await m.query(
    `SELECT c.id AS asked, s.id, s.tier FROM customers c JOIN customers s ON s.id = coalesce(c.merged_into, c.id)
      WHERE c.id = ANY($1::uuid[]) AND s.erased_at IS NULL`,
    [ids],
  );
  for (const r of rows) found.set(r.asked, { id: r.id, tier: r.tier });
  return found;
}

/**
 * Resolves every item's customer. Items whose identifiers belong to two customers, or whose
 * customerId is unknown, come back as errors (nothing linked yet when there are any).
 * Identifiers nobody owns are linked item by item (creating customers for unknown handles,
 * consent left UNKNOWN: no consent events are written).
 */
export async function resolveCustomers(
  m: EntityManager,
  items: PreparedItem[],
  recordedBy: string,
  options: { checkOnly?: boolean } = {},
): Promise<{ resolved: Map<number, ResolvedCustomer>; errors: ItemError[]; conflicts: ItemError[] }> {
  const byId = await customersById(m, [...new Set(items.flatMap((i) => (i.customerId ? [i.customerId] : [])))]);
  const owners = await ownersOf(m, items);
  const errors: ItemError[] = [];
  const conflicts: ItemError[] = [];
  const known = new Map<number, string>();
  const pending: PreparedItem[] = [];
  for (const item of items) {
    const candidates = new Set<string>();
    if (item.customerId) {
      const c = byId.get(item.customerId);
      if (!c) {
        errors.push({ index: item.index, field: 'customerId', message: `no customer with id ${item.customerId}` });
        continue;
      }
      candidates.add(c.id);
    }
    const keys = keysOf(item.ids);
    for (const key of keys) {
      const owner = owners.get(key);
      if (owner) candidates.add(owner.customerId);
    }
    if (candidates.size > 1) {
      conflicts.push({
        index: item.index, field: 'customerId',
        message: `the customer named belongs to different customers (${[...candidates].sort().join(', ')}): merging them is a decision for a person`,
      });
      continue;
    }
    if (candidates.size === 1 && keys.every((k) => owners.has(k))) known.set(item.index, [...candidates][0]);
    else pending.push(item);
  }
  const resolved = new Map<number, ResolvedCustomer>();
  if (errors.length > 0 || conflicts.length > 0 || options.checkOnly) return { resolved, errors, conflicts };

  // Identifiers nobody owned at lookup time: link one item at a time, remembering what each
  // link added so later items of the same call that use the same handle need no link.
  for (const item of pending) {
    const keys = keysOf(item.ids);
    const ownerNow = item.customerId ? byId.get(item.customerId)!.id : keys.map((k) => owners.get(k)?.customerId).find(Boolean);
    if (ownerNow && keys.every((k) => owners.has(k))) {
      known.set(item.index, ownerNow);
      continue;
    }
    const handle = item.ids.handles[0];
    const link = await linkIdentifiers(m, item.ids, {
      touchpoint: touchpointOf(item.input.channel),
      recordedBy,
      customerId: ownerNow,
      newCustomer: {
        displayName: item.input.displayName?.trim() || (handle ? `@${handle.handle}` : item.ids.emails[0] ?? item.ids.phones[0] ?? 'Unknown'),
      },
    });
    const unowned = keys.filter((k) => !owners.has(k));
    for (const key of unowned) owners.set(key, { customerId: link.customerId, socialIdentityId: null });
    if (handle && unowned.includes(`${handle.platform}:${handle.handle}`) && link.added.socialIdentityIds[0]) {
      owners.set(`${handle.platform}:${handle.handle}`, { customerId: link.customerId, socialIdentityId: link.added.socialIdentityIds[0] });
    }
    known.set(item.index, link.customerId);
  }

  const tiers = await customersById(m, [...new Set(known.values())]);
  // A handle linked by a concurrent call between our lookup and our link: find its identity.
  const missing = items.filter((i) => i.ids.handles[0] && !owners.get(`${i.ids.handles[0].platform}:${i.ids.handles[0].handle}`)?.socialIdentityId);
  if (missing.length > 0) {
    for (const [key, owner] of await ownersOf(m, missing)) owners.set(key, owner);
  }
  for (const item of items) {
    const customerId = known.get(item.index)!;
    const handle = item.ids.handles[0];
    resolved.set(item.index, {
      customerId,
      socialIdentityId: handle ? owners.get(`${handle.platform}:${handle.handle}`)?.socialIdentityId ?? null : null,
      tier: tiers.get(customerId)?.tier ?? Tier.NONE,
    });
  }
  return { resolved, errors, conflicts };
}
