import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Channel, Tier, Touchpoint } from '../graphql';
import { handleKey, identifierKeys, identityLinked, linkIdentifiers, linkNewHandles, lockIdentifiers, type NormalisedIdentifiers } from './identity-linker';
import { EventType, appendEvents, type EventSink } from '../events';
import type { ItemError } from '../graphql';

/** An item of an ingestion call, as far as finding its customer goes. */
export interface PreparedItem {
  index: number;
  /** Named by id (already checked to be a UUID), or null. */
  customerId: string | null;
  ids: NormalisedIdentifiers;
  input: { channel: Channel; displayName?: string | null };
  /** Its caller, when items of several callers are written together (captured_by of what it links). */
  by?: string;
}
import { survivorJoin } from '../customers';
import { withoutBlocked, type BlockHit, type IdentityRules } from './identity-rules';

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

const keysOf = identifierKeys;

interface Owner {
  customerId: string;
  socialIdentityId: string | null;
  tier: Tier;
}

/** Owners of every identifier of the call, by `EMAIL:x` / `PHONE:x` / `<PLATFORM>:<handle>`. One statement. */
async function ownersOf(m: EntityManager, items: PreparedItem[]): Promise<Map<string, Owner>> {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const handles = new Map<string, { platform: string; handle: string; ext: string | null }>();
  for (const item of items) {
    item.ids.emails.forEach((e) => emails.add(e));
    item.ids.phones.forEach((p) => phones.add(p));
    for (const h of item.ids.handles) handles.set(handleKey(h.platform, h.handle), { platform: h.platform, handle: h.handle, ext: h.externalUserId });
  }
  const owners = new Map<string, Owner>();
  if (emails.size + phones.size + handles.size === 0) return owners;
  const hs = [...handles.values()];
  const rows: { key: string; customerId: string; socialIdentityId: string | null; tier: Tier }[] = await m.query(
    `SELECT o.key, o.customer_id AS "customerId", o.identity_id AS "socialIdentityId", c.tier FROM (
       SELECT 'EMAIL:' || value AS key, customer_id, NULL::uuid AS identity_id
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
         JOIN social_identities s ON s.platform = h.platform AND s.external_user_id = h.ext AND s.handle <> h.handle
     ) o JOIN customers c ON c.id = o.customer_id`,
    [[...emails], [...phones], hs.map((h) => h.platform), hs.map((h) => h.handle), hs.map((h) => h.ext)],
  );
  for (const r of rows) owners.set(r.key, { customerId: r.customerId, socialIdentityId: r.socialIdentityId, tier: r.tier });
  return owners;
}

/**
 * The common case of social listening, set-based: items that name the customer only by one
 * handle nobody owns. Under the linker's locks (taken by lockIdentifiers), the handles are
 * looked up again and each one still unowned becomes a new customer owning that identity
 * (linkNewHandles: what linkIdentifiers would do, in two statements for the whole call).
 * `owners` is updated.
 */
async function createForNewHandles(
  m: EntityManager, pending: PreparedItem[], owners: Map<string, Owner>, recordedBy: string, events: EventSink,
): Promise<void> {
  const simple = pending.filter((i) => !i.customerId && i.ids.emails.length === 0 && i.ids.phones.length === 0 && i.ids.handles.length === 1);
  if (simple.length === 0) return;
  for (const [key, owner] of await ownersOf(m, simple)) owners.set(key, owner);
  const fresh = new Map<string, PreparedItem>();
  for (const item of simple) {
    const h = item.ids.handles[0];
    const key = handleKey(h.platform, h.handle);
    if (!owners.has(key) && !fresh.has(key)) fresh.set(key, item);
  }
  if (fresh.size === 0) return;
  const rows = [...fresh.values()].map((item) => {
    const h = item.ids.handles[0];
    const displayName = item.input.displayName?.trim() || `@${h.handle}`;
    return {
      customerId: randomUUID(), identityId: randomUUID(), displayName, handle: h, touchpoint: touchpointOf(item.input.channel), recordedBy: item.by ?? recordedBy,
    };
  });
  await linkNewHandles(m, rows, recordedBy);
  for (const r of rows) {
    owners.set(handleKey(r.handle.platform, r.handle.handle), { customerId: r.customerId, socialIdentityId: r.identityId, tier: Tier.NONE });
    events.push(
      { type: EventType.CUSTOMER_CREATED, customerId: r.customerId, data: { customerId: r.customerId } },
      identityLinked(r.customerId, { contactPointIds: [], socialIdentityIds: [r.identityId] }, [{ kind: 'SOCIAL', platform: r.handle.platform, handle: r.handle.handle }]),
    );
  }
}

/**
 * Known identities keep their follower counts fresh (followers grow and shrink), in one
 * statement. Returns the owners whose count changed (the influence scorer's input).
 */
async function refreshFollowers(m: EntityManager, items: PreparedItem[], owners: Map<string, Owner>): Promise<string[]> {
  const fresh = new Map<string, number>();
  for (const item of items) {
    const h = item.ids.handles[0];
    const id = h && owners.get(handleKey(h.platform, h.handle))?.socialIdentityId;
    if (id && h.followerCount !== null) fresh.set(id, h.followerCount);
  }
  if (fresh.size === 0) return [];
  // TypeORM answers an UPDATE with [rows, rowCount].
  const [changed]: [{ customerId: string }[], number] = await m.query(
    `UPDATE social_identities s SET follower_count = u.n FROM unnest($1::uuid[], $2::int[]) AS u(id, n)
      WHERE s.id = u.id AND s.follower_count IS DISTINCT FROM u.n
      RETURNING s.customer_id AS "customerId"`,
    [[...fresh.keys()], [...fresh.values()]],
  );
  return changed.map((c) => c.customerId);
}

/** A customer named by id (`asked`), as its survivor when it was merged. */
export interface NamedCustomer {
  asked: string;
  id: string;
  tier: Tier;
}

/**
 * The customers named by the uuid[] parameter `param`, as one json array of NamedCustomer, for a
 * caller to read in a statement it sends anyway (ingestion's first one) and hand to resolveCustomers.
 * Usage: `` m.query(`SELECT ${namedCustomersSql('$1')} AS named`, [ids]) ``
 */
export const namedCustomersSql = (param: string) =>
  `coalesce((SELECT json_agg(json_build_object('asked', c.id, 'id', s.id, 'tier', s.tier)) FROM ${survivorJoin('c', 's')}
              WHERE c.id = ANY(${param}::uuid[]) AND s.erased_at IS NULL), '[]')`;

/** The customers named by id: merged ones answer with their survivor (read here unless the caller read them). */
async function customersById(m: EntityManager, ids: string[], named?: NamedCustomer[]): Promise<Map<string, { id: string; tier: Tier }>> {
  if (ids.length === 0) return new Map();
  const rows: NamedCustomer[] = named ?? (await m.query(`SELECT ${namedCustomersSql('$1')} AS named`, [ids]))[0].named;
  return new Map(rows.map((r) => [r.asked, { id: r.id, tier: r.tier }]));
}

/**
 * Resolves every item's customer. Items whose identifiers belong to two customers, or whose
 * customerId is unknown, come back as errors (nothing linked yet when there are any).
 * Identifiers nobody owns are linked (creating customers for unknown handles, consent left
 * UNKNOWN: no consent events are written): a lone new handle set-based, anything else item by
 * item through the identity linker.
 */
export async function resolveCustomers(
  m: EntityManager,
  given: PreparedItem[],
  recordedBy: string,
  options: {
    checkOnly?: boolean; events?: EventSink; rules?: IdentityRules; onBlocked?: (hits: BlockHit[]) => void;
    /** Every customer the items name, read by the caller (namedCustomersSql): not read again. */
    named?: NamedCustomer[];
  } = {},
): Promise<{ resolved: Map<number, ResolvedCustomer>; errors: ItemError[]; conflicts: ItemError[]; followersChanged: Set<string> }> {
  const { items, blocked } = options.rules?.blocking ? unblocked(given, options.rules, options.onBlocked) : { items: given, blocked: [] };
  const byId = await customersById(m, [...new Set(items.flatMap((i) => (i.customerId ? [i.customerId] : [])))], options.named);
  const owners = await ownersOf(m, items);
  const errors: ItemError[] = [...blocked];
  const conflicts: ItemError[] = [];
  const known = new Map<number, string>();
  const pending: PreparedItem[] = [];
  const refused = new Set(blocked.map((b) => b.index));
  for (const item of items) {
    if (refused.has(item.index)) continue;
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
  // Customers created here for a new handle are left out: they hold no PROFILING consent yet.
  const followersChanged = new Set<string>();
  if (errors.length > 0 || conflicts.length > 0 || options.checkOnly) return { resolved, errors, conflicts, followersChanged };

  // Identifiers nobody owned at lookup time: link one item at a time, remembering what each
  // link added so later items of the same call that use the same handle need no link.
  // The linker locks per item; taking every lock of the call first, in one sorted statement,
  // keeps two concurrent calls from locking the same identifiers in opposite orders.
  const tiers = new Map<string, Tier>();
  for (const c of byId.values()) tiers.set(c.id, c.tier);
  for (const o of owners.values()) tiers.set(o.customerId, o.tier);
  await lockIdentifiers(m, pending.map((i) => i.ids));
  const events = options.events ?? [];
  await createForNewHandles(m, pending, owners, recordedBy, events);
  for (const o of owners.values()) tiers.set(o.customerId, o.tier);
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
      recordedBy: item.by ?? recordedBy,
      customerId: ownerNow,
      events,
      newCustomer: {
        displayName: item.input.displayName?.trim() || (handle ? `@${handle.handle}` : item.ids.emails[0] ?? item.ids.phones[0] ?? 'Unknown'),
      },
    });
    const unowned = keys.filter((k) => !owners.has(k));
    const tier = (item.customerId ? byId.get(item.customerId)!.tier : keys.map((k) => owners.get(k)?.tier).find(Boolean)) ?? Tier.NONE;
    tiers.set(link.customerId, tier);
    for (const key of unowned) owners.set(key, { customerId: link.customerId, socialIdentityId: null, tier });
    if (handle && unowned.includes(handleKey(handle.platform, handle.handle)) && link.added.socialIdentityIds[0]) {
      owners.set(handleKey(handle.platform, handle.handle), { customerId: link.customerId, socialIdentityId: link.added.socialIdentityIds[0], tier });
    }
    known.set(item.index, link.customerId);
    if (link.followersChanged) followersChanged.add(link.customerId);
  }

  for (const id of await refreshFollowers(m, items, owners)) followersChanged.add(id);
  // A handle linked by a concurrent call between our lookup and our link: find its identity.
  const missing = items.filter((i) => i.ids.handles[0] && !owners.get(handleKey(i.ids.handles[0].platform, i.ids.handles[0].handle))?.socialIdentityId);
  if (missing.length > 0) {
    for (const [key, owner] of await ownersOf(m, missing)) {
      owners.set(key, owner);
      tiers.set(owner.customerId, owner.tier);
    }
  }
  for (const item of items) {
    const customerId = known.get(item.index)!;
    const handle = item.ids.handles[0];
    resolved.set(item.index, {
      customerId,
      socialIdentityId: handle ? owners.get(handleKey(handle.platform, handle.handle))?.socialIdentityId ?? null : null,
      tier: tiers.get(customerId) ?? Tier.NONE,
    });
  }
  if (!options.events) await appendEvents(m, events);
  return { resolved, errors, conflicts, followersChanged };
}

/**
 * The items without their blocked identifiers (a blocked value is neither looked up nor
 * linked). An item left with no identifier and no customerId has no customer to go to: an
 * item error naming the field (docs/identity.md, "Blocked identifiers").
 */
function unblocked(items: PreparedItem[], rules: IdentityRules, onBlocked?: (hits: BlockHit[]) => void): { items: PreparedItem[]; blocked: ItemError[] } {
  const blocked: ItemError[] = [];
  const all: BlockHit[] = [];
  const kept = items.map((item) => {
    const { ids, hits } = withoutBlocked(rules, item.ids);
    if (hits.length === 0) return item;
    all.push(...hits);
    if (!item.customerId && ids.emails.length + ids.phones.length + ids.handles.length === 0) {
      const field = hits[0].kind === 'HANDLE' ? 'handle' : hits[0].kind.toLowerCase();
      blocked.push({ index: item.index, field, message: `${field} is blocked (${hits[0].reason}): name the customer by customerId or another identifier` });
    }
    return { ...item, ids };
  });
  if (all.length > 0) onBlocked?.(all);
  return { items: kept, blocked };
}
