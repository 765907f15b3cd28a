import type { EntityManager } from 'typeorm';
import { DomainError, badInput } from '../graphql';
import type { Platform, Touchpoint } from '../graphql';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';
import type { EventIdentifier } from '../events';
import { EventType, emit, type EventSink, type NewEvent } from '../events';

// Deterministic linking (domain.md, Identity): an identifier the customer gave at a
// touchpoint links to the customer who already owns any of the identifiers given with it;
// nothing is matched by name. One normalised identifier belongs to one customer only
// (unique indexes), and concurrent callers are serialised per identifier by advisory locks.

export interface RawHandle {
  platform: Platform;
  /** A handle with or without @, or a profile URL. */
  handle?: string | null;
  externalUserId?: string | null;
  profileUrl?: string | null;
  followerCount?: number | null;
  verified?: boolean | null;
}

/** A phone number with the region to read a national format in (default: the configured region). */
export interface RawPhone {
  number: string;
  region?: string | null;
}

export interface RawIdentifiers {
  emails?: string[] | null;
  phones?: (string | RawPhone)[] | null;
  handles?: RawHandle[] | null;
}

export interface NormalisedHandle {
  platform: Platform;
  handle: string;
  externalUserId: string | null;
  profileUrl: string | null;
  followerCount: number | null;
  verified: boolean;
}

export interface NormalisedIdentifiers {
  emails: string[];
  phones: string[];
  handles: NormalisedHandle[];
}

/**
 * Normalises every identifier, failing with BAD_USER_INPUT naming the first bad one
 * (`emails[1]`, `handles[0].handle`), before anything is written.
 */
export function normaliseIdentifiers(raw: RawIdentifiers, defaultRegion: string, prefix = ''): NormalisedIdentifiers {
  const emails = unique((raw.emails ?? []).map((e, i) => normaliseEmail(e, `${prefix}emails[${i}]`)));
  const phones = unique(
    (raw.phones ?? []).map((p, i) =>
      typeof p === 'string'
        ? normalisePhone(p, defaultRegion, `${prefix}phones[${i}]`)
        : normalisePhone(p.number, p.region?.trim() || defaultRegion, `${prefix}phones[${i}].number`),
    ),
  );
  const handles: NormalisedHandle[] = [];
  for (const [i, h] of (raw.handles ?? []).entries()) {
    const field = `${prefix}handles[${i}]`;
    const given = h.handle ?? h.profileUrl ?? h.externalUserId;
    if (!given) throw badInput(`${field}.handle`, `${field} needs a handle, a profile URL or an external user id`);
    if (h.followerCount != null && (!Number.isInteger(h.followerCount) || h.followerCount < 0)) {
      throw badInput(`${field}.followerCount`, `${field}.followerCount must be a whole number of at least 0`);
    }
    const fromHandle = h.handle || h.profileUrl ? normaliseHandle(h.platform, (h.handle || h.profileUrl)!, defaultRegion, `${field}.handle`) : null;
    const externalUserId = h.externalUserId?.trim() || fromHandle?.externalUserId || null;
    const handle = fromHandle?.handle ?? externalUserId!;
    if (!handles.some((x) => x.platform === h.platform && x.handle === handle)) {
      handles.push({
        platform: h.platform,
        handle,
        externalUserId,
        profileUrl: h.profileUrl?.trim() || null,
        followerCount: h.followerCount ?? null,
        verified: h.verified ?? false,
      });
    }
  }
  return { emails, phones, handles };
}

export function isEmpty(ids: NormalisedIdentifiers): boolean {
  return ids.emails.length + ids.phones.length + ids.handles.length === 0;
}

export interface LinkOptions {
  touchpoint: Touchpoint;
  /** The token's `sub`. */
  recordedBy: string;
  /** Used only when no identifier has an owner yet and a customer is created. */
  newCustomer: {
    displayName: string;
    city?: string | null;
    region?: string | null;
    country?: string | null;
    /** False when displayName is a stand-in (an email or a handle): no name key, so no name-based duplicate suggestions. */
    named?: boolean;
  };
  /** Link to this customer (e.g. ingestion that names the customer by id). */
  customerId?: string;
  /** Collects CUSTOMER_CREATED / IDENTITY_LINKED for the caller to append with the rest of its transaction's events; appended at once without. */
  events?: EventSink;
}

export interface LinkResult {
  customerId: string;
  created: boolean;
  /** Identifiers that were new and now belong to the customer. */
  added: { contactPointIds: string[]; socialIdentityIds: string[] };
  /** Identifiers given that already belonged to the customer (what the link went through). */
  matched: { contactPointIds: string[]; socialIdentityIds: string[] };
  /** True when a follower count was given that the customer's identities did not hold yet (an input of the influence scorer). */
  followersChanged: boolean;
}

/**
 * Links the identifiers to their one owner (creating a customer when none has one).
 * Must run inside a transaction: `dataSource.transaction((m) => linkIdentifiers(m, ids, opts))`.
 * Identifiers owned by two different customers: CONFLICT naming both, nothing written.
 */
export async function linkIdentifiers(m: EntityManager, ids: NormalisedIdentifiers, opts: LinkOptions): Promise<LinkResult> {
  await lockIdentifiers(m, ids);
  const { known, owners } = await resolveOwners(m, ids, opts.customerId);
  if (opts.customerId && !owners.has(opts.customerId)) {
    throw new DomainError('NOT_FOUND', `customer ${opts.customerId} does not exist`, { field: 'customerId' });
  }
  const live = new Set(owners.values());
  if (live.size > 1) {
    const customerIds = [...live].sort();
    throw new DomainError(
      'CONFLICT',
      `these identifiers belong to different customers (${customerIds.join(', ')}): merging them is a decision for a person`,
      { customerIds },
    );
  }
  const matched = {
    contactPointIds: known.filter((k) => k.kind === 'CONTACT').map((k) => k.id),
    socialIdentityIds: known.filter((k) => k.kind === 'SOCIAL').map((k) => k.id),
  };
  let customerId = [...live][0];
  const created = customerId === undefined;
  if (customerId === undefined) {
    const c = opts.newCustomer;
    const rows: { id: string }[] = await m.query(
      `INSERT INTO customers (display_name, name_key, city, region, country)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [c.displayName, c.named === false ? '' : nameKey(c.displayName), c.city ?? null, c.region ?? null, c.country ?? null],
    );
    customerId = rows[0].id;
  }
  const added = { contactPointIds: [] as string[], socialIdentityIds: [] as string[] };
  let followersChanged = false;
  for (const [kind, values] of [['EMAIL', ids.emails], ['PHONE', ids.phones]] as const) {
    for (const value of values) {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, value) DO NOTHING RETURNING id`,
        [customerId, kind, value, opts.touchpoint, opts.recordedBy],
      );
      if (rows[0]) added.contactPointIds.push(rows[0].id);
    }
  }
  for (const h of ids.handles) {
    const existing: { id: string }[] = await m.query(
      `SELECT id FROM social_identities WHERE platform = $1 AND (handle = $2 OR external_user_id = $3)`,
      [h.platform, h.handle, h.externalUserId],
    );
    if (existing[0]) {
      // Known identity: keep what we know fresh (followers grow and shrink).
      const [changed]: [{ changed: boolean }[], number] = await m.query(
        // The self-join reads the row as it was before this UPDATE (RETURNING old.* needs PostgreSQL 18).
        `UPDATE social_identities s SET follower_count = coalesce($2, s.follower_count),
                external_user_id = coalesce(s.external_user_id, $3), profile_url = coalesce(s.profile_url, $4),
                verified = s.verified OR $5
           FROM social_identities before
          WHERE s.id = $1 AND before.id = s.id
          RETURNING before.follower_count IS DISTINCT FROM s.follower_count AS changed`,
        [existing[0].id, h.followerCount, h.externalUserId, h.profileUrl, h.verified],
      );
      if (changed[0]?.changed) followersChanged = true;
      continue;
    }
    const rows: { id: string }[] = await m.query(
      `INSERT INTO social_identities
         (customer_id, platform, handle, external_user_id, profile_url, follower_count, verified, captured_via, captured_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [customerId, h.platform, h.handle, h.externalUserId, h.profileUrl, h.followerCount, h.verified, opts.touchpoint, opts.recordedBy],
    );
    added.socialIdentityIds.push(rows[0].id);
    if (h.followerCount != null) followersChanged = true;
  }
  const events: NewEvent[] = [];
  if (created) events.push({ type: EventType.CUSTOMER_CREATED, customerId, data: { customerId } });
  if (added.contactPointIds.length + added.socialIdentityIds.length > 0) {
    events.push(identityLinked(customerId, added, [
      ...ids.emails.map((value) => ({ kind: 'EMAIL' as const, value })),
      ...ids.phones.map((value) => ({ kind: 'PHONE' as const, value })),
      ...ids.handles.map((h) => ({ kind: 'SOCIAL' as const, platform: h.platform, handle: h.handle })),
    ]));
  }
  await emit(m, opts.events, events);
  return { customerId, created, added, matched, followersChanged };
}

/** A new customer owning one new handle, as linkNewHandles creates it. */
export interface NewHandleOwner {
  customerId: string;
  identityId: string;
  displayName: string;
  handle: NormalisedHandle;
  touchpoint: Touchpoint;
  /** Who recorded it (captured_by); default: linkNewHandles' recordedBy. */
  recordedBy?: string;
}

/**
 * The set-based form of linkIdentifiers for handles nobody owns (ingestion's common case):
 * one new customer per handle, in two statements for any number. The caller holds the
 * handles' locks (lockIdentifiers) and has checked, under them, that nobody owns them.
 */
export async function linkNewHandles(m: EntityManager, rows: NewHandleOwner[], recordedBy: string): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO customers (id, display_name, name_key) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
    [rows.map((r) => r.customerId), rows.map((r) => r.displayName), rows.map((r) => nameKey(r.displayName))],
  );
  await m.query(
    `INSERT INTO social_identities
       (id, customer_id, platform, handle, external_user_id, profile_url, follower_count, verified, captured_via, captured_by)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::boolean[], $9::text[], $10::text[])`,
    [rows.map((r) => r.identityId), rows.map((r) => r.customerId), rows.map((r) => r.handle.platform), rows.map((r) => r.handle.handle),
      rows.map((r) => r.handle.externalUserId), rows.map((r) => r.handle.profileUrl), rows.map((r) => r.handle.followerCount),
      rows.map((r) => r.handle.verified), rows.map((r) => r.touchpoint), rows.map((r) => r.recordedBy ?? recordedBy)],
  );
}

/**
 * IDENTITY_LINKED: the identifiers given with the link (the event is about them; erasure
 * scrubs them from the outbox like from any customer-owned table) and the ids of the new rows.
 */
export function identityLinked(
  customerId: string,
  added: { contactPointIds: string[]; socialIdentityIds: string[] },
  identifiers: EventIdentifier[],
): NewEvent {
  return { type: EventType.IDENTITY_LINKED, customerId, data: { customerId, ...added, identifiers } };
}

/** Lower-cased, accent-free, single-spaced name used to suggest (never decide) duplicates. */
export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

// The one set of identifier keys and advisory locks: the linker, touchpoints and ingestion's
// set-based resolution (customer-resolution.ts) all use these, so they serialise on the same locks.

/** An identifier as one string: `EMAIL:<value>`, `PHONE:<E.164>`, `<PLATFORM>:<handle>`. */
export type IdentifierKey = string;
export const emailKey = (value: string): IdentifierKey => `EMAIL:${value}`;
export const phoneKey = (value: string): IdentifierKey => `PHONE:${value}`;
export const handleKey = (platform: string, handle: string): IdentifierKey => `${platform}:${handle}`;

/** The keys of every identifier given (what owners are looked up by). */
export function identifierKeys(ids: NormalisedIdentifiers): IdentifierKey[] {
  return [...ids.emails.map(emailKey), ...ids.phones.map(phoneKey), ...ids.handles.map((h) => handleKey(h.platform, h.handle))];
}

/** The advisory-lock keys of the identifiers: their keys, and `<PLATFORM>#<external id>` for handles known by id. */
function lockKeys(ids: NormalisedIdentifiers): string[] {
  return [...identifierKeys(ids), ...ids.handles.flatMap((h) => (h.externalUserId ? [`${h.platform}#${h.externalUserId}`] : []))];
}

/**
 * Serialises transactions that touch the same identifier: the second waits for the first
 * to commit, then sees its owner. Locks are taken in one statement, in sorted order, so two
 * callers never take the same locks in opposite orders. Several items' identifiers at once:
 * `lockIdentifiers(m, items.map((i) => i.ids))`.
 */
export async function lockIdentifiers(m: EntityManager, ids: NormalisedIdentifiers | NormalisedIdentifiers[]): Promise<void> {
  const keys = [...new Set((Array.isArray(ids) ? ids : [ids]).flatMap(lockKeys))].sort();
  if (keys.length === 0) return;
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k`, [keys]);
}

interface KnownIdentifier {
  id: string;
  kind: 'CONTACT' | 'SOCIAL';
  customerId: string;
}

async function knownIdentifiers(m: EntityManager, ids: NormalisedIdentifiers): Promise<KnownIdentifier[]> {
  return m.query(
    `SELECT id, 'CONTACT' AS kind, customer_id AS "customerId" FROM contact_points
      WHERE (kind = 'EMAIL' AND value = ANY($1)) OR (kind = 'PHONE' AND value = ANY($2))
     UNION
     SELECT s.id, 'SOCIAL', s.customer_id FROM social_identities s
       JOIN unnest($3::text[], $4::text[], $5::text[]) AS h(platform, handle, external_id)
         ON s.platform = h.platform AND (s.handle = h.handle OR s.external_user_id = h.external_id)`,
    [
      ids.emails,
      ids.phones,
      ids.handles.map((h) => h.platform),
      ids.handles.map((h) => h.handle),
      ids.handles.map((h) => h.externalUserId),
    ],
  );
}

/**
 * Who owns the given identifiers, read again after the owners are locked: a merge or undo
 * that committed while we waited may have moved them (then the new owners are locked too).
 */
async function resolveOwners(m: EntityManager, ids: NormalisedIdentifiers, customerId?: string) {
  const ownerIds = (known: KnownIdentifier[]) => [...new Set([...known.map((k) => k.customerId), ...(customerId ? [customerId] : [])])].sort();
  let known = await knownIdentifiers(m, ids);
  for (;;) {
    // No owner to lock, so no wait in which a merge could move an identifier; and the identifiers'
    // locks (held) keep anyone from storing one of them meanwhile: the read stands as it is.
    if (ownerIds(known).length === 0) return { known, owners: new Map<string, string>() };
    const owners = await liveOwners(m, ownerIds(known));
    const again = await knownIdentifiers(m, ids);
    if (ownerIds(again).join() === ownerIds(known).join()) return { known: again, owners };
    known = again;
  }
}

/**
 * Maps each customer id to the customer that answers for it now (a merged customer's
 * survivor), holding a share lock so a merge or undo of these customers waits for this
 * transaction, and this one, when it came second, sees the merge's outcome.
 */
async function liveOwners(m: EntityManager, customerIds: string[]): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows: { id: string; merged_into: string | null }[] = await m.query(
    `SELECT id, merged_into FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE`,
    [customerIds],
  );
  return new Map(rows.map((r) => [r.id, r.merged_into ?? r.id]));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
