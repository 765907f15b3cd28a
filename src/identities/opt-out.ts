import type { EntityManager } from 'typeorm';
import { recordAudits } from '../audit';
import { ConsentPurpose, type Channel } from '../graphql';
import type { EventSink } from '../events';
import { appendConsentEvents, type ConsentEventInput } from './consent-ledger';
import { touchpointOf } from './customer-resolution';

/** A stored inbound message that is an opt-out keyword (identity-rules.ts, isOptOut). */
export interface OptOutMessage {
  interactionId: string;
  customerId: string;
  channel: Channel;
  /** The identity it came from: the WhatsApp handle, or null for an SMS. */
  socialIdentityId: string | null;
  /** The sender's number (E.164) when given: an SMS's identity. */
  phone: string | null;
  by: string;
  occurredAt: Date;
  requestId?: string;
}

/**
 * Withdraws MARKETING for the identity each opt-out came from, through the ledger, in two
 * statements for any number of messages: the phones' contact points (the customer's own only),
 * then the decisions, each naming its interaction (consent_events.interaction_id: one decision
 * per message, so a retried message cannot write a second). A message whose sender's number
 * is not the customer's (blocked, or named only by customerId) has no identity to withdraw.
 */
export async function recordOptOuts(m: EntityManager, messages: readonly OptOutMessage[], sink: EventSink): Promise<void> {
  if (messages.length === 0) return;
  const bySms = messages.filter((x) => !x.socialIdentityId && x.phone);
  const phones: { customerId: string; value: string; id: string }[] = bySms.length === 0 ? [] : await m.query(
    `SELECT customer_id AS "customerId", value, id FROM contact_points
      WHERE kind = 'PHONE' AND (customer_id, value) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
    [bySms.map((x) => x.customerId), bySms.map((x) => x.phone)],
  );
  const phoneId = new Map(phones.map((p) => [`${p.customerId} ${p.value}`, p.id]));
  const decisions: ConsentEventInput[] = [];
  for (const x of messages) {
    const contactPointId = x.socialIdentityId ? null : phoneId.get(`${x.customerId} ${x.phone}`) ?? null;
    if (!x.socialIdentityId && !contactPointId) continue;
    decisions.push({
      customerId: x.customerId, socialIdentityId: x.socialIdentityId, contactPointId, purpose: ConsentPurpose.MARKETING, status: 'REVOKED',
      source: touchpointOf(x.channel), recordedBy: x.by, effectiveAt: x.occurredAt, interactionId: x.interactionId,
    });
  }
  await appendConsentEvents(m, decisions, sink);
  // Audited as setConsent is: ids and codes only.
  const requestOf = new Map(messages.map((x) => [x.interactionId, x.requestId]));
  await recordAudits(m, decisions.map((d) => ({
    actor: d.recordedBy, action: 'CONSENT_CHANGED' as const, subject: d.customerId, requestId: requestOf.get(d.interactionId!),
    details: {
      ...(d.socialIdentityId ? { socialIdentityId: d.socialIdentityId } : { contactPointId: d.contactPointId }),
      purpose: d.purpose, status: d.status, source: d.source, via: 'opt-out', interactionId: d.interactionId,
    },
  })));
}
