import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '../auth';
import { DomainError, badInput, type ErrorCode, keyClaim, keyConflict, once, type KeyClaim, itemErrors, type ItemError, ConsentStatus } from '../graphql';
import { ItemsRefused, type BatchWriter } from '../common';
import { claimKeys, settleKeys, withRetry } from '../db';
import { appendEvents, type EventSink } from '../events';
import { appendConsentEvents, type ConsentEventInput } from './consent-ledger';
import { auditTouchpointConsents, writeNewCustomers } from './touchpoint-new-customers';
import {
  emailKey, handleKey, identifierKeys, isEmpty, linkIdentifiers, lockIdentifiers, nameKey, normaliseIdentifiers, phoneKey,
  type IdentifierKey, type LinkResult, type NormalisedIdentifiers,
} from './identity-linker';
import { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';
import type { CustomerAttributesInput, IdentifierInput, TouchpointConsentInput, TouchpointInput } from './touchpoint.inputs';
import { withoutBlocked, type IdentityRules } from './identity-rules';
import type { IdentityRulesService } from './identity-rules.service';

const MAX_TEXT = 200;
/** Most touchpoints one recordTouchpoints call may carry. */
export const MAX_TOUCHPOINTS = 1000;
/** Clocks drift: an occurredAt this far ahead is still accepted. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** The idempotency keys of recordTouchpoint and recordTouchpoints: one namespace, a touchpoint retried either way is written once. */
const TOUCHPOINT_KEYS = 'recordTouchpoint';
const MAX_WORDING = 4000;

/** An identifier as one string, the same for a given value and its reference in a consent. */

/** One recordTouchpoint call: its input, its caller and its request. */
export interface TouchpointCall {
  input: TouchpointInput;
  viewer: Viewer;
  requestId: string;
}

/** A checked touchpoint of a write, with its caller. */
interface Item {
  index: number;
  input: TouchpointInput;
  valid: ValidTouchpoint;
  claim: KeyClaim | null;
  viewer: Viewer;
  requestId: string;
}

interface ValidTouchpoint {
  ids: NormalisedIdentifiers;
  profile: { name: string | null; city: string | null; region: string | null; country: string | null };
  consents: { input: TouchpointConsentInput; keys: IdentifierKey[] }[];
  attributes: Record<string, unknown>;
  /** When the customer gave it (an import of last year's visits is dated then); consents given there take effect then (effectiveAt; the ledger records them when written). */
  occurredAt: Date;
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
export class TouchpointService implements BatchWriter<TouchpointCall, string> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly defaultPhoneRegion: string,
    /** Called inside the transaction when a touchpoint changed an input of the influence scorer (a follower count). */
    private readonly onScorerInputsChanged: ScorerInputsChanged = async () => undefined,
    /** Blocked identifiers are left out of every touchpoint (docs/identity.md, "Blocked identifiers"). */
    private readonly identityRules?: Pick<IdentityRulesService, 'current' | 'countBlocked'>,
  ) {}

  /** Returns the id of the customer the touchpoint linked to (created when none owned an identifier). */
  async record(input: TouchpointInput, viewer: Viewer, requestId: string, now = new Date()): Promise<string> {
    const valid = this.validate(input, now);
    const claim = keyClaim(input.idempotencyKey, input);
    return withRetry(() => this.dataSource.transaction((m) => once(m, TOUCHPOINT_KEYS, claim, async () => {
      const unblocked = this.unblocked(valid, await this.rules(m));
      if (unblocked instanceof DomainError) throw unblocked;
      const written = await this.write(m, unblocked, input, viewer, requestId);
      // After the consents: a touchpoint that grants PROFILING along with a count is scored at once.
      if (written.followersChanged) await this.onScorerInputsChanged(m, [written.customerId]);
      return written.customerId;
    }, (stored) => stored as string)));
  }

  /**
   * recordTouchpoints: up to MAX_TOUCHPOINTS in one transaction, all or nothing. Every item is
   * checked first and every bad one reported (index, field, message); then the keys are claimed
   * (a retried item answers its first customer), the identifiers of all fresh items are locked in
   * one sorted statement, and the items are linked in input order by the same rules as one
   * touchpoint (a later item sees what an earlier one linked). Items whose identifiers belong to
   * different customers: CONFLICT listing each, nothing written. Answers one customer id per input.
   */
  async recordMany(inputs: TouchpointInput[], viewer: Viewer, requestId: string, now = new Date()): Promise<string[]> {
    if (inputs.length > MAX_TOUCHPOINTS) throw badInput('inputs', `at most ${MAX_TOUCHPOINTS} touchpoints per call, got ${inputs.length}`);
    if (inputs.length === 0) return [];
    const errors: ItemError[] = [];
    const items: Item[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        items.push({ index, input, valid: this.validate(input, now), claim: keyClaim(input.idempotencyKey, input), viewer, requestId });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        errors.push(itemError(index, error));
      }
    }
    if (errors.length > 0) throw itemErrors('BAD_USER_INPUT', errors, true, 'touchpoints');
    return this.recordItems(items, 'bulk');
  }

  /** A single call's error from the checks that need no database, as recordTouchpoint answers it, or null. */
  check({ input }: TouchpointCall): Error | null {
    try {
      this.validate(input, new Date());
      keyClaim(input.idempotencyKey, input);
      return null;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  }

  one({ input, viewer, requestId }: TouchpointCall): Promise<string> {
    return this.record(input, viewer, requestId);
  }

  /**
   * Single recordTouchpoint calls of several callers in one transaction (a Coalescer,
   * src/common/coalescer.ts): each linked, consented and audited as alone, by its own caller in
   * its own request; a refused call is ItemsRefused with the error it gets alone, nothing written.
   */
  many(calls: TouchpointCall[]): Promise<string[]> {
    const now = new Date();
    return this.recordItems(calls.map((c, index) => ({
      index, input: c.input, valid: this.validate(c.input, now), claim: keyClaim(c.input.idempotencyKey, c.input), viewer: c.viewer, requestId: c.requestId,
    })), 'batch');
  }

  /**
   * Checked touchpoints in one transaction. Bad ones: bulk, one error listing each (index, field,
   * message); batch, ItemsRefused with each one's own error. Nothing is written either way.
   */
  private async recordItems(items: Item[], mode: 'bulk' | 'batch'): Promise<string[]> {
    const refuse = (code: ErrorCode, bad: { index: number; error: DomainError }[]) => (mode === 'bulk'
      ? itemErrors(code, bad.map((b) => itemError(b.index, b.error)), true, 'touchpoints')
      : new ItemsRefused(new Map(bad.map((b) => [b.index, b.error]))));
    // The same key twice in one call: one touchpoint, unless the contents differ.
    const firstOfKey = new Map<string, Item>();
    const reusedInCall: { index: number; error: DomainError }[] = [];
    for (const item of items) {
      if (!item.claim) continue;
      const first = firstOfKey.get(item.claim.key);
      if (!first) firstOfKey.set(item.claim.key, item);
      else if (first.claim!.hash !== item.claim.hash) {
        reusedInCall.push({ index: item.index, error: mode === 'bulk'
          ? new DomainError('CONFLICT', `idempotencyKey is used by item ${first.index} with other content`, { field: 'idempotencyKey' })
          : keyConflict(item.claim.key, item.claim.field) });
      }
    }
    if (reusedInCall.length > 0) throw refuse('CONFLICT', reusedInCall);

    return withRetry(() => this.dataSource.transaction(async (m) => {
      const claims = await claimKeys(m, TOUCHPOINT_KEYS, [...firstOfKey.keys()].map((key) => firstOfKey.get(key)!.claim!));
      const reused = items.filter((i) => i.claim && claims.get(i.claim.key)!.state === 'conflict');
      if (reused.length > 0) throw refuse('CONFLICT', reused.map((i) => ({ index: i.index, error: keyConflict(i.claim!.key, i.claim!.field) })));
      const answerOf = new Map<string, string>();
      for (const [key, claim] of claims) if (claim.state === 'done') answerOf.set(key, claim.result as string);
      const rules = await this.rules(m);
      const blocked: { index: number; error: DomainError }[] = [];
      const fresh = items.filter((i) => !i.claim || (claims.get(i.claim.key)!.state === 'fresh' && firstOfKey.get(i.claim.key) === i)).map((i) => {
        const valid = this.unblocked(i.valid, rules);
        if (valid instanceof DomainError) blocked.push({ index: i.index, error: valid });
        return valid instanceof DomainError ? i : { ...i, valid };
      });
      if (blocked.length > 0) throw refuse('BAD_USER_INPUT', blocked);
      await lockIdentifiers(m, fresh.map((i) => i.valid.ids));
      const customerOf = new Map<number, string>();
      const rescore = new Set<string>();
      // Items that create a customer of their own, set-based; the rest item by item, in input order.
      const atOnce = await writeNewCustomers(m, fresh.map(({ index, input, valid, viewer, requestId }) => ({
        index, touchpoint: input.touchpoint, ids: valid.ids, displayName: valid.profile.name ?? standInName(valid.ids),
        named: valid.profile.name !== null, place: placeOf(valid.profile), attributes: valid.attributes, consents: valid.consents,
        occurredAt: valid.occurredAt, viewer, requestId,
      })));
      for (const [index, w] of atOnce) {
        customerOf.set(index, w.customerId);
        if (w.followersChanged) rescore.add(w.customerId);
      }
      const conflicts: { index: number; error: DomainError }[] = [];
      for (const item of fresh) {
        if (atOnce.has(item.index)) continue;
        try {
          const written = await this.write(m, item.valid, item.input, item.viewer, item.requestId);
          customerOf.set(item.index, written.customerId);
          if (written.followersChanged) rescore.add(written.customerId);
        } catch (error) {
          // Linking refuses before it writes (CONFLICT): the transaction is still usable, and rolled back below.
          if (!(error instanceof DomainError)) throw error;
          conflicts.push({ index: item.index, error });
        }
      }
      if (conflicts.length > 0) throw refuse(conflicts.length === 1 ? conflicts[0].error.code : 'CONFLICT', conflicts);
      const settled = fresh.filter((i) => i.claim).map((i) => ({ key: i.claim!.key, result: customerOf.get(i.index)! }));
      await settleKeys(m, TOUCHPOINT_KEYS, settled);
      for (const s of settled) answerOf.set(s.key, s.result);
      if (rescore.size > 0) await this.onScorerInputsChanged(m, [...rescore].sort());
      return items.map((i) => (i.claim ? answerOf.get(i.claim.key)! : customerOf.get(i.index)!));
    }));
  }

  private async rules(m: EntityManager): Promise<IdentityRules | null> {
    return this.identityRules ? this.identityRules.current(m) : null;
  }

  /**
   * The touchpoint without its blocked identifiers, and without the consents given only for
   * them. Every identifier blocked: BAD_USER_INPUT (nothing to link the touchpoint to).
   */
  private unblocked(valid: ValidTouchpoint, rules: IdentityRules | null): ValidTouchpoint | DomainError {
    if (!rules) return valid;
    const { ids, hits } = withoutBlocked(rules, valid.ids);
    if (hits.length === 0) return valid;
    this.identityRules!.countBlocked(hits);
    if (isEmpty(ids)) {
      return badInput('input', `every identifier given is blocked (${[...new Set(hits.map((h) => h.reason))].join('; ')}): nothing to link this touchpoint to`);
    }
    const kept = new Set(identifierKeys(ids));
    const consents = valid.consents
      .map((c) => ({ ...c, keys: c.keys.filter((k) => kept.has(k)) }))
      .filter((c) => c.keys.length > 0);
    return { ...valid, ids, consents };
  }

  /** One validated touchpoint inside the caller's transaction: link, profile, attributes, consents (audited), its event. */
  private async write(
    m: EntityManager, valid: ValidTouchpoint, input: TouchpointInput, viewer: Viewer, requestId: string,
  ): Promise<{ customerId: string; followersChanged: boolean }> {
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
    const consentCount = await this.recordConsents(m, link.customerId, valid, input, viewer, events, requestId);
    await appendEvents(m, events);
    await m.query(
      `INSERT INTO touchpoint_events
         (customer_id, touchpoint, recorded_by, request_id, created_customer, identifiers, matched_ids, added_ids, consent_count,
          attribute_keys, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::uuid[], $8::uuid[], $9, $10::text[], $11)`,
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
        valid.occurredAt,
      ],
    );
    return { customerId: link.customerId, followersChanged: link.followersChanged };
  }

  private validate(input: TouchpointInput, now: Date): ValidTouchpoint {
    const occurredAt = input.occurredAt ?? now;
    if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) throw badInput('occurredAt', 'occurredAt is not a date');
    if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw badInput('occurredAt', 'occurredAt must not be in the future');
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
    return { ids, profile, consents, attributes: attributesOf(input.attributes), occurredAt };
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

  private async recordConsents(
    m: EntityManager, customerId: string, valid: ValidTouchpoint, input: TouchpointInput, viewer: Viewer, sink: EventSink, requestId: string,
  ) {
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
          effectiveAt: valid.occurredAt,
        };
      }),
    );
    await appendConsentEvents(m, events, sink);
    // Audited as setConsent is: one entry per decision, ids and codes only.
    await auditTouchpointConsents(m, viewer, events, requestId);
    return events.length;
  }
}

/** A DomainError of one item of a bulk call as an ItemError (its field without the `input.` of a single call). */
function itemError(index: number, error: DomainError): ItemError & { code: ErrorCode } {
  const field = String(error.details.field ?? '').replace(/^input\.?/, '');
  return { index, field, message: error.message, code: error.code };
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
