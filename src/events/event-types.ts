import { registerEnumType } from 'type-graphql';

/** What the outbox records (names fixed by schema/api-contract.graphql). INCIDENT_* are reserved for incidents. */
export enum EventType {
  CUSTOMER_CREATED = 'CUSTOMER_CREATED',
  CUSTOMER_MERGED = 'CUSTOMER_MERGED',
  MERGE_UNDONE = 'MERGE_UNDONE',
  CUSTOMER_ERASED = 'CUSTOMER_ERASED',
  CONSENT_CHANGED = 'CONSENT_CHANGED',
  IDENTITY_LINKED = 'IDENTITY_LINKED',
  INTERACTION_RECORDED = 'INTERACTION_RECORDED',
  INTERACTION_RESPONDED = 'INTERACTION_RESPONDED',
  ESCALATION_RAISED = 'ESCALATION_RAISED',
  ESCALATION_RESOLVED = 'ESCALATION_RESOLVED',
  TIER_CHANGED = 'TIER_CHANGED',
  INCIDENT_OPENED = 'INCIDENT_OPENED',
  INCIDENT_RESOLVED = 'INCIDENT_RESOLVED',
  SEGMENT_ENTERED = 'SEGMENT_ENTERED',
  SEGMENT_LEFT = 'SEGMENT_LEFT',
}

registerEnumType(EventType, {
  name: 'EventType',
  description: 'A change other systems can be told about (webhooks). Each is written to the outbox in the transaction of the change.',
});
