import { planUndo, type ForeignKey, type PlanRow, type UndoPlanInput } from '../../src/identities/undo-plan';

const FKS: ForeignKey[] = [
  { table: 'consent_events', column: 'contact_point_id', refTable: 'contact_points' },
  { table: 'interactions', column: 'social_identity_id', refTable: 'social_identities' },
  { table: 'interactions', column: 'conversation_id', refTable: 'conversations' },
  { table: 'escalations', column: 'interaction_id', refTable: 'interactions' },
];
const TABLES = ['contact_points', 'social_identities', 'consent_events', 'conversations', 'interactions', 'escalations', 'touchpoint_events'];

function input(rows: Record<string, PlanRow[]>, moved: Record<string, string[]>, atMerge: Record<string, string[]>, touchpoints: UndoPlanInput['touchpoints'] = []): UndoPlanInput {
  return {
    rows: new Map(TABLES.map((t) => [t, rows[t] ?? []])),
    fks: FKS,
    moved: new Map(Object.entries(moved).map(([t, ids]) => [t, new Set(ids)])),
    notAddedAfterMerge: new Map(Object.entries(atMerge).map(([t, ids]) => [t, new Set(ids)])),
    touchpointTable: 'touchpoint_events',
    touchpoints,
    identifierTables: ['contact_points', 'social_identities'],
  };
}
const row = (id: string, refs: Record<string, string | null> = {}): PlanRow => ({ id, refs });

describe('undo rule', () => {
  it('sends back every moved row and nothing the survivor had at merge time', () => {
    const plan = planUndo(input({ contact_points: [row('m-email'), row('s-email')] }, { contact_points: ['m-email'] }, { contact_points: ['s-email'] }));
    expect(plan.back.get('contact_points')).toEqual(['m-email']);
    expect(plan.addedAfterMerge.get('contact_points')).toEqual([]);
  });

  it('sends back a later consent on a moved email, and a later message from a moved handle with its new conversation and escalation', () => {
    const plan = planUndo(
      input(
        {
          contact_points: [row('m-email')],
          social_identities: [row('m-handle')],
          consent_events: [row('c1', { contact_point_id: 'm-email' })],
          conversations: [row('new-conv')],
          interactions: [row('tweet', { social_identity_id: 'm-handle', conversation_id: 'new-conv' })],
          escalations: [row('esc', { interaction_id: 'tweet' })],
        },
        { contact_points: ['m-email'], social_identities: ['m-handle'] },
        {},
      ),
    );
    expect(plan.addedAfterMerge.get('consent_events')).toEqual(['c1']);
    expect(plan.addedAfterMerge.get('conversations')).toEqual(['new-conv']);
    expect(plan.addedAfterMerge.get('interactions')).toEqual(['tweet']);
    expect(plan.addedAfterMerge.get('escalations')).toEqual(['esc']);
  });

  it('keeps with the survivor a later message from a moved handle in the survivor\'s own thread, and its escalation', () => {
    const plan = planUndo(
      input(
        {
          social_identities: [row('m-handle')],
          conversations: [row('s-conv')],
          interactions: [row('s-msg', { conversation_id: 's-conv' }), row('tweet', { social_identity_id: 'm-handle', conversation_id: 's-conv' })],
          escalations: [row('esc', { interaction_id: 'tweet' })],
        },
        { social_identities: ['m-handle'] },
        { conversations: ['s-conv'], interactions: ['s-msg'] },
      ),
    );
    expect(plan.back.get('interactions')).toEqual([]);
    expect(plan.back.get('escalations')).toEqual([]);
    expect(plan.back.get('social_identities')).toEqual(['m-handle']);
  });

  it('sends back a later touchpoint matched only through moved identifiers, with the identifiers it added; not one matched on both', () => {
    const plan = planUndo(
      input(
        { contact_points: [row('m-email'), row('s-email'), row('new-phone'), row('other-phone')], touchpoint_events: [row('tp1'), row('tp2')] },
        { contact_points: ['m-email'] },
        { contact_points: ['s-email'] },
        [
          { id: 'tp1', matched: ['m-email'], added: ['new-phone'] },
          { id: 'tp2', matched: ['m-email', 's-email'], added: ['other-phone'] },
        ],
      ),
    );
    expect(plan.back.get('touchpoint_events')).toEqual(['tp1']);
    expect(plan.back.get('contact_points')).toEqual(['m-email', 'new-phone']);
  });
});
