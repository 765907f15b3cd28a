import type { ConsentPurpose, Touchpoint } from '../graphql';
import { PersonalDataClass } from '../graphql';
import { EventType } from './event-types';

/** An identifier as an event carries it (IDENTITY_LINKED). */
export type EventIdentifier =
  | { kind: 'EMAIL' | 'PHONE'; value: string }
  | { kind: 'SOCIAL'; platform: string; handle: string };

/**
 * The one payload type per event type: what writers put in `outbox_events.data` and what
 * webhook receivers get as `data` (after the webhook's purpose is applied, see
 * EVENT_PAYLOAD_FIELDS). Webhook payloads are a public contract: add a key here, with its
 * class below, before a writer may send it.
 */
export interface EventPayloads {
  [EventType.CUSTOMER_CREATED]: { customerId: string };
  [EventType.IDENTITY_LINKED]: { customerId: string; contactPointIds: string[]; socialIdentityIds: string[]; identifiers: EventIdentifier[] };
  [EventType.CONSENT_CHANGED]: {
    customerId: string; socialIdentityId: string | null; contactPointId: string | null;
    purpose: ConsentPurpose; status: 'GRANTED' | 'DENIED' | 'REVOKED'; source: Touchpoint; expiresAt: Date | null;
  };
  [EventType.CUSTOMER_MERGED]: { mergeId: string; survivorId: string; mergedId: string };
  [EventType.MERGE_UNDONE]: { mergeId: string; survivorId: string; mergedId: string };
  [EventType.CUSTOMER_ERASED]: { customerId: string; customerIds: string[] };
  [EventType.INTERACTION_RECORDED]: { interactionId: string; customerId: string; conversationId: string; channel: string; direction: string; status: string };
  [EventType.INTERACTION_RESPONDED]: { interactionId: string; customerId: string; status: string | null; replyId?: string };
  [EventType.ESCALATION_RAISED]: { escalationId: string; interactionId: string; customerId: string; team: string; automatic: boolean };
  [EventType.ESCALATION_RESOLVED]: { escalationId: string; interactionId: string; customerId: string; team: string };
  [EventType.TIER_CHANGED]: { customerId: string; tier: string; previousTier: string };
  [EventType.INCIDENT_OPENED]: { incidentId: string; topic: string; escalationId: string | null; posts: number };
  [EventType.INCIDENT_RESOLVED]: { incidentId: string; escalationId: string | null };
  [EventType.NOTE_MENTION]: { interactionId: string; noteId: string; customerId: string; agentId: string };
  [EventType.REPLY_DELIVERY_FAILED]: { replyId: string; interactionId: string | null; customerId: string; status: string | null };
  [EventType.IDENTIFIER_DETACHED]: {
    customerId: string; fromCustomerId: string; kind: 'EMAIL' | 'PHONE' | 'HANDLE';
    contactPointId: string | null; socialIdentityId: string | null; consentEvents: number;
  };
  [EventType.PURCHASE_RECORDED]: {
    purchaseId: string; customerId: string; product: string; category: string | null; amount: number | null; currency: string | null;
    purchasedAt: string; channel: string | null;
  };
  /** An escalation (escalationId, team) or an inbound interaction (no escalationId) passed its due time unanswered: once each. */
  [EventType.SLA_BREACHED]: { kind: 'ESCALATION' | 'INTERACTION'; interactionId: string; customerId: string; escalationId?: string; team?: string; dueAt: string };
  [EventType.ESCALATION_ACKNOWLEDGED]: { escalationId: string; interactionId: string; customerId: string; team: string; owner: string };
  /** `identifiers`: the customer's emails, phones and handles usable for the segment's purpose when it entered. */
  [EventType.SEGMENT_ENTERED]: { savedSegmentId: string; customerId: string; purpose: ConsentPurpose; identifiers: EventIdentifier[] };
  [EventType.SEGMENT_LEFT]: { savedSegmentId: string; customerId: string; purpose: ConsentPurpose };
}

/** Every key of every payload, with what it holds (the personal-data classes of src/graphql/enums.ts). */
export type PayloadFields = { readonly [T in EventType]: { readonly [K in keyof Required<EventPayloads[T]>]: PersonalDataClass } };

const { PSEUDONYMOUS: ID, OPERATIONAL: OP, CONTACT, PROFILING } = PersonalDataClass;

/**
 * The class of each payload key, declared once. Webhook delivery reads it
 * (src/webhooks/webhook-payload.ts): PSEUDONYMOUS and OPERATIONAL keys are always sent;
 * IDENTIFIER and CONTACT values only where the webhook's purpose is granted for that very
 * identifier at delivery; FREE_TEXT and PROFILING only where the customer holds the purpose on
 * some identity then; a key not declared here is never sent. The compiler keeps this table and
 * EventPayloads in step (a missing or extra key does not compile).
 */
export const EVENT_PAYLOAD_FIELDS: PayloadFields = {
  [EventType.CUSTOMER_CREATED]: { customerId: ID },
  // Emails, phones and handles: each element is judged by its own consent, whatever its class.
  [EventType.IDENTITY_LINKED]: { customerId: ID, contactPointIds: ID, socialIdentityIds: ID, identifiers: CONTACT },
  [EventType.CONSENT_CHANGED]: {
    customerId: ID, socialIdentityId: ID, contactPointId: ID, purpose: OP, status: OP, source: OP, expiresAt: OP,
  },
  [EventType.CUSTOMER_MERGED]: { mergeId: ID, survivorId: ID, mergedId: ID },
  [EventType.MERGE_UNDONE]: { mergeId: ID, survivorId: ID, mergedId: ID },
  [EventType.CUSTOMER_ERASED]: { customerId: ID, customerIds: ID },
  [EventType.INTERACTION_RECORDED]: { interactionId: ID, customerId: ID, conversationId: ID, channel: OP, direction: OP, status: OP },
  [EventType.INTERACTION_RESPONDED]: { interactionId: ID, customerId: ID, status: OP, replyId: ID },
  [EventType.ESCALATION_RAISED]: { escalationId: ID, interactionId: ID, customerId: ID, team: OP, automatic: OP },
  [EventType.ESCALATION_RESOLVED]: { escalationId: ID, interactionId: ID, customerId: ID, team: OP },
  [EventType.TIER_CHANGED]: { customerId: ID, tier: OP, previousTier: OP },
  // A topic is counted over many people's posts (a hashtag or keyword), not about one person.
  [EventType.INCIDENT_OPENED]: { incidentId: ID, topic: OP, escalationId: ID, posts: OP },
  [EventType.INCIDENT_RESOLVED]: { incidentId: ID, escalationId: ID },
  // The mentioned agent is staff (a token subject); the note's text is never in the event.
  [EventType.NOTE_MENTION]: { interactionId: ID, noteId: ID, customerId: ID, agentId: OP },
  // The connector's error text is read through the API (ReplyDelivery.error), never sent.
  [EventType.REPLY_DELIVERY_FAILED]: { replyId: ID, interactionId: ID, customerId: ID, status: OP },
  // Ids only: the value detached is read through the API by whoever may read it.
  [EventType.IDENTIFIER_DETACHED]: { customerId: ID, fromCustomerId: ID, kind: OP, contactPointId: ID, socialIdentityId: ID, consentEvents: OP },
  // What someone bought is profiling: sent only where the customer holds the webhook's purpose at delivery.
  [EventType.PURCHASE_RECORDED]: {
    purchaseId: ID, customerId: ID, product: PROFILING, category: PROFILING, amount: PROFILING, currency: PROFILING, purchasedAt: OP, channel: OP,
  },
  [EventType.SLA_BREACHED]: { kind: OP, interactionId: ID, customerId: ID, escalationId: ID, team: OP, dueAt: OP },
  // The owner is a staff token subject, not the customer's data.
  [EventType.ESCALATION_ACKNOWLEDGED]: { escalationId: ID, interactionId: ID, customerId: ID, team: OP, owner: OP },
  // Identifiers reach only a webhook whose purpose is the segment's (src/webhooks/webhook-payload.ts), each by its own consent.
  [EventType.SEGMENT_ENTERED]: { savedSegmentId: ID, customerId: ID, purpose: OP, identifiers: CONTACT },
  [EventType.SEGMENT_LEFT]: { savedSegmentId: ID, customerId: ID, purpose: OP },
};
