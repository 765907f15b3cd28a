import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Viewer } from '../auth';
import { recordAudits, type AuditEntry } from '../audit';
import { EventType, appendEvents, type EventSink } from '../events';
import type { Touchpoint } from '../graphql';
import { appendConsentEvents, type ConsentEventInput } from './consent-ledger';
import { emailKey, handleKey, identifierKeys, identityLinked, nameKey, phoneKey, type IdentifierKey, type NormalisedIdentifiers } from './identity-linker';

/** The audit entry of a consent given at a touchpoint (ids and codes only, as setConsent's). */
function consentAudit(viewer: Viewer, e: ConsentEventInput, requestId?: string): AuditEntry {
  return {
    actor: viewer,
    action: 'CONSENT_CHANGED',
    subject: e.customerId,
    requestId,
    details: {
      ...(e.socialIdentityId ? { socialIdentityId: e.socialIdentityId } : { contactPointId: e.contactPointId }),
      purpose: e.purpose, status: e.status, source: e.source, wordingVersion: e.wordingVersion ?? null, via: 'touchpoint',
    },
  };
}

/** The audit entries of consents given at one touchpoint, one statement. Usage: `await auditTouchpointConsents(m, viewer, events)` */
export async function auditTouchpointConsents(m: EntityManager, viewer: Viewer, consents: ConsentEventInput[], requestId?: string): Promise<void> {
  await recordAudits(m, consents.map((e) => consentAudit(viewer, e, requestId)));
}

/** A checked touchpoint of recordTouchpoints, as far as creating its customer goes. */
export interface NewCustomerTouchpoint {
  index: number;
  touchpoint: Touchpoint;
  ids: NormalisedIdentifiers;
  displayName: string;
  /** False when displayName is a stand-in (no name key). */
  named: boolean;
  place: { city: string | null; region: string | null; country: string | null };
  attributes: Record<string, unknown>;
  consents: { input: { purpose: ConsentEventInput['purpose']; status: string; wording?: string | null; wordingVersion?: string | null; expiresAt?: Date | null }; keys: IdentifierKey[] }[];
  occurredAt: Date;
  /** Who recorded it, in which request (a batch of single calls carries several). */
  viewer: Viewer;
  requestId: string;
}

/**
 * The touchpoints of a recordTouchpoints call that create a customer each, written set-based:
 * the items none of whose identifiers anybody owns (read under the caller's identifier locks)
 * and that share none with another item of the call, so input order cannot matter for them.
 * What linkIdentifiers and the touchpoint write do item by item (customer, contact points,
 * identities, consents with their audit, CUSTOMER_CREATED / IDENTITY_LINKED / CONSENT_CHANGED,
 * the touchpoint event), in a constant number of statements. Returns, per written item index,
 * its customer and whether it brought a follower count (an input of the influence scorer);
 * the caller links the others one by one. Handles known by external id go the linker's way.
 */
export async function writeNewCustomers(
  m: EntityManager, items: NewCustomerTouchpoint[],
): Promise<Map<number, { customerId: string; followersChanged: boolean }>> {
  const uses = new Map<IdentifierKey, number>();
  for (const item of items) for (const key of identifierKeys(item.ids)) uses.set(key, (uses.get(key) ?? 0) + 1);
  const alone = items.filter((i) => i.ids.handles.every((h) => !h.externalUserId) && identifierKeys(i.ids).every((k) => uses.get(k) === 1));
  const written = new Map<number, { customerId: string; followersChanged: boolean }>();
  if (alone.length === 0) return written;
  const all = alone.map((i) => i.ids);
  const owned: { key: string }[] = await m.query(
    `SELECT kind || ':' || value AS key FROM contact_points WHERE (kind = 'EMAIL' AND value = ANY($1)) OR (kind = 'PHONE' AND value = ANY($2))
     UNION ALL
     SELECT s.platform || ':' || s.handle FROM social_identities s JOIN unnest($3::text[], $4::text[]) AS h(platform, handle)
       ON s.platform = h.platform AND s.handle = h.handle`,
    [all.flatMap((i) => i.emails), all.flatMap((i) => i.phones), all.flatMap((i) => i.handles.map((h) => h.platform)), all.flatMap((i) => i.handles.map((h) => h.handle))],
  );
  const taken = new Set(owned.map((o) => o.key));
  const fresh = alone.filter((i) => identifierKeys(i.ids).every((k) => !taken.has(k)));
  if (fresh.length === 0) return written;

  const customers: unknown[][] = [];
  const contacts: unknown[][] = [];
  const identities: unknown[][] = [];
  const touchpoints: unknown[][] = [];
  const events: EventSink = [];
  const consents: ConsentEventInput[] = [];
  const audits: { viewer: Viewer; requestId: string; event: ConsentEventInput }[] = [];
  for (const item of fresh) {
    const customerId = randomUUID();
    const target = new Map<IdentifierKey, { id: string; social: boolean }>();
    customers.push([customerId, item.displayName, item.named ? nameKey(item.displayName) : '', item.place.city, item.place.region, item.place.country, item.attributes]);
    for (const [kind, values, key] of [['EMAIL', item.ids.emails, emailKey], ['PHONE', item.ids.phones, phoneKey]] as const) {
      for (const value of values) {
        const id = randomUUID();
        target.set(key(value), { id, social: false });
        contacts.push([id, customerId, kind, value, item.touchpoint, item.viewer.sub]);
      }
    }
    for (const h of item.ids.handles) {
      const id = randomUUID();
      target.set(handleKey(h.platform, h.handle), { id, social: true });
      identities.push([id, customerId, h.platform, h.handle, h.externalUserId, h.profileUrl, h.followerCount, h.verified, item.touchpoint, item.viewer.sub]);
    }
    const added = {
      contactPointIds: [...target.values()].filter((t) => !t.social).map((t) => t.id),
      socialIdentityIds: [...target.values()].filter((t) => t.social).map((t) => t.id),
    };
    events.push({ type: EventType.CUSTOMER_CREATED, customerId, data: { customerId } }, identityLinked(customerId, added, [
      ...item.ids.emails.map((value) => ({ kind: 'EMAIL' as const, value })),
      ...item.ids.phones.map((value) => ({ kind: 'PHONE' as const, value })),
      ...item.ids.handles.map((h) => ({ kind: 'SOCIAL' as const, platform: h.platform, handle: h.handle })),
    ]));
    const given = item.consents.flatMap(({ input: c, keys }) => keys.map((key): ConsentEventInput => {
      const t = target.get(key)!;
      return {
        customerId, socialIdentityId: t.social ? t.id : null, contactPointId: t.social ? null : t.id, purpose: c.purpose,
        status: c.status as ConsentEventInput['status'], source: item.touchpoint, recordedBy: item.viewer.sub, wording: c.wording ?? null,
        wordingVersion: c.wordingVersion?.trim() || null, expiresAt: c.expiresAt ?? null, effectiveAt: item.occurredAt,
      };
    }));
    consents.push(...given);
    audits.push(...given.map((e) => ({ viewer: item.viewer, requestId: item.requestId, event: e })));
    touchpoints.push([customerId, item.touchpoint, item.viewer.sub, item.requestId, {
      emails: item.ids.emails, phones: item.ids.phones, handles: item.ids.handles.map((h) => ({ platform: h.platform, handle: h.handle })),
    }, [...added.contactPointIds, ...added.socialIdentityIds], given.length, Object.keys(item.attributes).sort(), item.occurredAt.toISOString()]);
    written.set(item.index, { customerId, followersChanged: item.ids.handles.some((h) => h.followerCount != null) });
  }
  await m.query(
    `INSERT INTO customers (id, display_name, name_key, city, region, country, attributes)
     SELECT (e->>0)::uuid, e->>1, e->>2, e->>3, e->>4, e->>5, e->6 FROM jsonb_array_elements($1::jsonb) e`,
    [JSON.stringify(customers)],
  );
  if (contacts.length > 0) {
    await m.query(
      `INSERT INTO contact_points (id, customer_id, kind, value, captured_via, captured_by)
       SELECT (e->>0)::uuid, (e->>1)::uuid, e->>2, e->>3, e->>4, e->>5 FROM jsonb_array_elements($1::jsonb) e`,
      [JSON.stringify(contacts)],
    );
  }
  if (identities.length > 0) {
    await m.query(
      `INSERT INTO social_identities (id, customer_id, platform, handle, external_user_id, profile_url, follower_count, verified, captured_via, captured_by)
       SELECT (e->>0)::uuid, (e->>1)::uuid, e->>2, e->>3, e->>4, e->>5, (e->>6)::int, (e->>7)::boolean, e->>8, e->>9
         FROM jsonb_array_elements($1::jsonb) e`,
      [JSON.stringify(identities)],
    );
  }
  // Each customer's events in the order a touchpoint alone appends them: created, linked, its consents.
  await appendConsentEvents(m, consents, events);
  await recordAudits(m, audits.map((a) => consentAudit(a.viewer, a.event, a.requestId)));
  await appendEvents(m, events);
  await m.query(
    `INSERT INTO touchpoint_events (customer_id, touchpoint, recorded_by, request_id, created_customer, identifiers, matched_ids, added_ids,
       consent_count, attribute_keys, occurred_at)
     SELECT (e->>0)::uuid, e->>1, e->>2, e->>3, true, e->4, '{}', ARRAY(SELECT jsonb_array_elements_text(e->5))::uuid[],
            (e->>6)::int, ARRAY(SELECT jsonb_array_elements_text(e->7)), (e->>8)::timestamptz
       FROM jsonb_array_elements($1::jsonb) e`,
    [JSON.stringify(touchpoints)],
  );
  return written;
}
