import { EVENT_PAYLOAD_FIELDS } from '../../src/events/event-payloads';
import { EventType } from '../../src/events/event-types';
import { ConsentPurpose } from '../../src/graphql/enums';
import { identifierKey, webhookData } from '../../src/webhooks/webhook-payload';

const linked = {
  type: EventType.IDENTITY_LINKED,
  customerId: 'c1',
  data: {
    customerId: 'c1', contactPointIds: ['p1'], socialIdentityIds: ['s1'],
    identifiers: [{ kind: 'EMAIL', value: 'chad@example.com' }, { kind: 'SOCIAL', platform: 'TWITTER', handle: 'chad' }],
  },
};
const everything = { identifiers: new Set(linked.data.identifiers.map((i) => identifierKey(i as never))), customer: true };

describe('webhook payloads', () => {
  it('every event type declares the class of each payload key', () => {
    expect(Object.keys(EVENT_PAYLOAD_FIELDS).sort()).toEqual(Object.values(EventType).sort());
  });

  it('a key the declaration does not list is never sent, whatever is granted', () => {
    const data = webhookData({ ...linked, data: { ...linked.data, displayName: 'Chad Schaeffer' } }, ConsentPurpose.MARKETING, everything);
    expect(data).not.toHaveProperty('displayName');
    expect(data.identifiers).toHaveLength(2);
    expect(webhookData({ type: 'NOT_DECLARED', customerId: 'c1', data: { customerId: 'c1', email: 'x@example.com' } }, ConsentPurpose.SERVICE, everything)).toEqual({});
  });

  it('no purpose: ids only, even when grants were passed', () => {
    expect(webhookData(linked, null, everything)).toEqual({ customerId: 'c1', contactPointIds: ['p1'], socialIdentityIds: ['s1'], identifiers: [] });
  });
});
