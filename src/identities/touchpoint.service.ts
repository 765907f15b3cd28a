import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '../auth/jwt';
import { badInput } from '../graphql/errors';
import { ConsentStatus } from '../graphql/enums';
import { appendConsentEvents, type ConsentEventInput } from './consent-ledger';
import { isEmpty, linkIdentifiers, nameKey, normaliseIdentifiers, type LinkResult, type NormalisedIdentifiers } from './identity-linker';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';
import { appendEvents, type EventSink } from '../events/outbox';
import type { CustomerAttributesInput, IdentifierInput, TouchpointConsentInput, TouchpointInput } from './touchpoint.inputs';

const MAX_TEXT = 200;
const MAX_WORDING = 4000;

/** An identifier as one string, the same for a given value and its reference in a consent. */
type IdentifierKey = string;
const emailKey = (v: string): IdentifierKey => `EMAIL:${v}`;
const phoneKey = (v: string): IdentifierKey => `PHONE:${v}`;
const handleKey = (platform: string, handle: string): IdentifierKey => `${platform}:${handle}`;

interface ValidTouchpoint {
  ids: NormalisedIdentifiers;
  profile: { name: string | null; city: string | null; region: string | null; country: string | null };
  consents: { input: TouchpointConsentInput; keys: IdentifierKey[] }[];
  attributes: Record<string, unknown>;
}

/**
 * What identities tell the influence scorer: identities sit below influence, so the scorer is
 * handed in by the composition (src/context.ts) rather than imported.
 */
export type ScorerInputsChanged = (m: EntityManager, customerIds: string[]) => Promise<unknown>;

/**
 * recordTouchpoint: validates everything first (BAD_USER_INPUT names the field, nothing is
 * written), then links, records consents, merges attributes and writes the audit event in
 * one transaction.
 */
export class TouchpointService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly defaultPhoneRegion: string,
    /** Called inside the transaction when a touchpoint changed an input of the influence scorer (a follower count). */
    private readonly onScorerInputsChanged: ScorerInputsChanged = async () => undefined,
  ) {}

  /** Returns the id of the customer the touchpoint linked to (created when none owned an identifier). */
  async record(input: TouchpointInput, viewer: Viewer, requestId: string): Promise<string> {
    const valid = this.validate(input);
    return this.dataSource.transaction(async (m) => {
      const { profile, ids } = valid;
      const events: EventSink = [];
      const link = await linkIdentifiers(m, ids, {
        events,
        touchpoint: input.touchpoint,
        recordedBy: viewer.sub,
        newCustomer: { displayName: profile.name ?? standInName(ids), named: profile.name !== null, ...placeOf(profile) },
      });
      if (!link.created) await updateProfile(m, link.customerId, profile);
      if (Object.keys(valid.attributes).length > 0) {
        await m.query(`UPDATE customers SET attributes = attributes || $2::jsonb, updated_at = now() WHERE id = $1`, [
          link.customerId,
          JSON.stringify(valid.attributes),
        ]);
      }
      const consentCount = await this.recordConsents(m, link.customerId, valid, input, viewer, events);
      await appendEvents(m, events);
      await m.query(
        `INSERT INTO touchpoint_events
           (customer_id, touchpoint, recorded_by, request_id, created_customer, identifiers, matched_ids, added_ids, consent_count, attribute_keys)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::uuid[], $8::uuid[], $9, $10::text[])`,
        [
          link.customerId,
          input.touchpoint,
          viewer.sub,
          requestId,
          link.created,
          JSON.stringify({ emails: ids.emails, phones: ids.phones, handles: ids.handles.map((h) => ({ platform: h.platform, handle: h.handle })) }),
          idsOf(link.matched),
          idsOf(link.added),
          consentCount,
          Object.keys(valid.attributes).sort(),
        ],
      );
      // After the consents: a touchpoint that grants PROFILING along with a count is scored at once.
      if (link.followersChanged) await this.onScorerInputsChanged(m, [link.customerId]);
      return link.customerId;
    });
  }

  private validate(input: TouchpointInput): ValidTouchpoint {
    const ids = normaliseIdentifiers(
      { emails: input.emails, phones: input.phones, handles: input.handles },
      this.defaultPhoneRegion,
    );
    if (isEmpty(ids)) throw badInput('input', 'a touchpoint needs at least one email, phone or social handle');
    const profile = {
      name: text(input.name, 'name'),
      city: text(input.city, 'city'),
      region: text(input.region, 'region'),
      country: text(input.country, 'country'),
    };
    const given = new Set<IdentifierKey>([
      ...ids.emails.map(emailKey),
      ...ids.phones.map(phoneKey),
      ...ids.handles.map((h) => handleKey(h.platform, h.handle)),
    ]);
    const consents = (input.consents ?? []).map((c, i) => {
      const field = `consents[${i}]`;
      if (c.status === ConsentStatus.UNKNOWN) throw badInput(`${field}.status`, `${field}.status must be GRANTED, DENIED or REVOKED`);
      if (c.wording != null && c.wording.length > MAX_WORDING) throw badInput(`${field}.wording`, `${field}.wording is longer than ${MAX_WORDING}`);
      if (c.expiresAt && c.status === ConsentStatus.GRANTED && c.expiresAt.getTime() <= Date.now()) {
        throw badInput(`${field}.expiresAt`, `${field}.expiresAt is in the past`);
      }
      if (!c.identifier) return { input: c, keys: [...given] };
      const key = this.identifierKey(c.identifier, `${field}.identifier`);
      if (!given.has(key)) throw badInput(`${field}.identifier`, `${field}.identifier is not one of the identifiers given in this touchpoint`);
      return { input: c, keys: [key] };
    });
    return { ids, profile, consents, attributes: attributesOf(input.attributes) };
  }

  private identifierKey(ref: IdentifierInput, field: string): IdentifierKey {
    const named = [ref.email, ref.phone, ref.handle].filter((v) => v != null).length;
    if (named !== 1) throw badInput(field, `${field} must name exactly one of email, phone, or platform + handle`);
    if (ref.email != null) return emailKey(normaliseEmail(ref.email, `${field}.email`));
    if (ref.phone != null) return phoneKey(normalisePhone(ref.phone, ref.region?.trim() || this.defaultPhoneRegion, `${field}.phone`));
    if (!ref.platform) throw badInput(`${field}.platform`, `${field}.platform is required with a handle`);
    const h = normaliseHandle(ref.platform, ref.handle!, ref.region?.trim() || this.defaultPhoneRegion, `${field}.handle`);
    return handleKey(ref.platform, h.handle);
  }

  private async recordConsents(m: EntityManager, customerId: string, valid: ValidTouchpoint, input: TouchpointInput, viewer: Viewer, sink: EventSink) {
    if (valid.consents.length === 0) return 0;
    const rows: { key: string; id: string; social: boolean }[] = await m.query(
      `SELECT kind || ':' || value AS key, id, false AS social FROM contact_points
        WHERE (kind = 'EMAIL' AND value = ANY($1)) OR (kind = 'PHONE' AND value = ANY($2))
       UNION ALL
       SELECT s.platform || ':' || s.handle, s.id, true FROM social_identities s
         JOIN unnest($3::text[], $4::text[]) AS h(platform, handle) ON s.platform = h.platform AND s.handle = h.handle`,
      [valid.ids.emails, valid.ids.phones, valid.ids.handles.map((h) => h.platform), valid.ids.handles.map((h) => h.handle)],
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const events: ConsentEventInput[] = valid.consents.flatMap(({ input: c, keys }) =>
      keys.map((key) => {
        const target = byKey.get(key)!;
        return {
          customerId,
          socialIdentityId: target.social ? target.id : null,
          contactPointId: target.social ? null : target.id,
          purpose: c.purpose,
          status: c.status as 'GRANTED' | 'DENIED' | 'REVOKED',
          source: input.touchpoint,
          recordedBy: viewer.sub,
          wording: c.wording ?? null,
          wordingVersion: c.wordingVersion?.trim() || null,
          expiresAt: c.expiresAt ?? null,
        };
      }),
    );
    await appendConsentEvents(m, events, sink);
    return events.length;
  }
}

/** A known customer gains a real name only when it had a stand-in; a missing place is filled, a known one kept. */
async function updateProfile(m: EntityManager, customerId: string, p: ValidTouchpoint['profile']): Promise<void> {
  if (!p.name && !p.city && !p.region && !p.country) return;
  await m.query(
    `UPDATE customers SET
        display_name = CASE WHEN name_key = '' AND $2::text IS NOT NULL THEN $2 ELSE display_name END,
        name_key = CASE WHEN name_key = '' AND $2::text IS NOT NULL THEN $3 ELSE name_key END,
        city = coalesce(city, $4), region = coalesce(region, $5), country = coalesce(country, $6), updated_at = now()
      WHERE id = $1`,
    [customerId, p.name, p.name ? nameKey(p.name) : null, p.city, p.region, p.country],
  );
}

function placeOf(p: ValidTouchpoint['profile']) {
  return { city: p.city, region: p.region, country: p.country };
}

/** Until a name is given, a customer is shown by the first identifier they gave. */
function standInName(ids: NormalisedIdentifiers): string {
  if (ids.handles[0]) return `@${ids.handles[0].handle}`;
  return ids.emails[0] ?? ids.phones[0];
}

function text(value: string | null | undefined, field: string): string | null {
  const v = value?.trim();
  if (!v) return null;
  if (v.length > MAX_TEXT) throw badInput(field, `${field} is longer than ${MAX_TEXT} characters`);
  return v;
}

function attributesOf(a: CustomerAttributesInput | null | undefined): Record<string, unknown> {
  if (!a) return {};
  const out: Record<string, unknown> = {};
  if (a.loyaltyId != null) out.loyaltyId = text(a.loyaltyId, 'attributes.loyaltyId');
  if (a.loyaltyProgram != null) out.loyaltyProgram = text(a.loyaltyProgram, 'attributes.loyaltyProgram');
  if (a.loyaltyPoints != null) {
    if (a.loyaltyPoints < 0) throw badInput('attributes.loyaltyPoints', 'attributes.loyaltyPoints must be at least 0');
    out.loyaltyPoints = a.loyaltyPoints;
  }
  if (a.memberSince != null) out.memberSince = a.memberSince.toISOString();
  if (a.lifetimeValue != null) {
    const v = a.lifetimeValue;
    const ok = (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'object' && !Array.isArray(v));
    if (!ok) throw badInput('attributes.lifetimeValue', 'attributes.lifetimeValue must be a number or an object such as { amount, currency }');
    out.lifetimeValue = v;
  }
  if (a.extra != null) {
    if (typeof a.extra !== 'object' || Array.isArray(a.extra)) throw badInput('attributes.extra', 'attributes.extra must be a JSON object');
    for (const [k, v] of Object.entries(a.extra as Record<string, unknown>)) if (!(k in out)) out[k] = v;
  }
  for (const [k, v] of Object.entries(out)) if (v === null) delete out[k];
  return out;
}

function idsOf(ids: LinkResult['added']): string[] {
  return [...ids.contactPointIds, ...ids.socialIdentityIds];
}
