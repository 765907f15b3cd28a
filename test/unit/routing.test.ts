import type { FilterRule, LaneRule, SkillGroupRule } from '../../src/care/rules/care-rules';
import { churnRuleHit } from '../../src/care/rules/churn';
import { isActionable, laneFor, skillGroupFor } from '../../src/care/rules/routing';
import { slaTargetFor } from '../../src/care/rules/sla';
import { foldText } from '../../src/care/rules/text-match';
import { Channel, EscalationTeam, InteractionCategory as Cat, SwimLane, Tier } from '../../src/graphql/enums';

const lane = (rule: Partial<LaneRule> & { name: string }): LaneRule => ({
  position: 10, lane: SwimLane.MARKETING_PR, channels: [], categories: [], keywords: [], hashtags: [], enabled: true, ...rule,
});
const item = (text: string, over: { channel?: Channel; category?: Cat; topics?: string[] } = {}) => ({
  channel: over.channel ?? Channel.TWITTER, category: over.category ?? Cat.QUESTION, folded: foldText(text), topics: over.topics ?? [],
});

describe('swim lanes', () => {
  const rules = [
    lane({ name: 'campaign', keywords: ['campaign', 'your ad'], position: 20 }),
    lane({ name: 'sales', categories: [Cat.SALES_LEAD], position: 30 }),
    lane({ name: 'bloggers', channels: [Channel.BLOG], position: 40 }),
    lane({ name: 'off', keywords: ['warranty'], enabled: false, position: 10 }),
  ];

  it('sends campaign inquiries, sales leads and bloggers to marketing/PR', () => {
    expect(laneFor(rules, item('Loved your ad during the game'))).toBe(SwimLane.MARKETING_PR);
    expect(laneFor(rules, item('CTS or MKZ?', { category: Cat.SALES_LEAD }))).toBe(SwimLane.MARKETING_PR);
    expect(laneFor(rules, item('my review', { channel: Channel.BLOG }))).toBe(SwimLane.MARKETING_PR);
  });

  it('keeps product complaints and warranty questions with customer service, ignoring disabled rules', () => {
    expect(laneFor(rules, item('my warranty claim was refused', { category: Cat.COMPLAINT }))).toBe(SwimLane.CUSTOMER_SERVICE);
  });

  it('needs every criterion of a rule to hold', () => {
    const both = [lane({ name: 'x', channels: [Channel.FORUM], keywords: ['event'] })];
    expect(laneFor(both, item('the event', { channel: Channel.TWITTER }))).toBe(SwimLane.CUSTOMER_SERVICE);
    expect(laneFor(both, item('the event', { channel: Channel.FORUM }))).toBe(SwimLane.MARKETING_PR);
  });
});

describe('skill groups and the non-actionable filter', () => {
  const groups: SkillGroupRule[] = [
    { name: 'billing', position: 20, keywords: ['invoice', 'refund'], hashtags: ['billing'] },
    { name: 'technical', position: 10, keywords: ['bluetooth'], hashtags: [] },
  ];

  it('routes by keyword or hashtag to the first group by position', () => {
    expect(skillGroupFor(groups, item('where is my refund'))).toBe('billing');
    expect(skillGroupFor(groups, item('help', { topics: ['billing'] }))).toBe('billing');
    expect(skillGroupFor(groups, item('bluetooth and my invoice'))).toBe('technical');
    expect(skillGroupFor(groups, item('nice weather'))).toBeNull();
  });

  it('filters OTHER out of the queue unless a skill group claimed it', () => {
    const filters: FilterRule[] = [{ name: 'n', categories: [Cat.OTHER], unlessSkillGroup: true, enabled: true }];
    expect(isActionable(filters, Cat.OTHER, null)).toBe(false);
    expect(isActionable(filters, Cat.OTHER, 'billing')).toBe(true);
    expect(isActionable(filters, Cat.COMPLAINT, null)).toBe(true);
    expect(isActionable([{ ...filters[0], enabled: false }], Cat.OTHER, null)).toBe(true);
  });
});

describe('SLA target choice and churn phrases', () => {
  const targets = [
    { channel: Channel.TWITTER, tier: null, responseMinutes: 60, businessHours: 'always' },
    { channel: Channel.TWITTER, tier: Tier.PLATINUM, responseMinutes: 15, businessHours: 'always' },
    { channel: Channel.OTHER, tier: null, responseMinutes: 1440, businessHours: 'always' },
  ];

  it('prefers the tier row, then the channel row, then OTHER', () => {
    expect(slaTargetFor(targets, Channel.TWITTER, Tier.PLATINUM)!.responseMinutes).toBe(15);
    expect(slaTargetFor(targets, Channel.TWITTER, Tier.GOLD)!.responseMinutes).toBe(60);
    expect(slaTargetFor(targets, Channel.LETTER, Tier.NONE)!.responseMinutes).toBe(1440);
  });

  it('finds churn phrases whatever the case', () => {
    const rules = [{ name: 'churn', kind: 'CHURN' as const, team: EscalationTeam.RETENTION, threshold: null, windowMinutes: null, phrases: ['cancel my account', 'switching to'], enabled: true }];
    expect(churnRuleHit(rules, foldText('I will CANCEL MY ACCOUNT today'))!.phrases).toEqual(['cancel my account']);
    expect(churnRuleHit(rules, foldText('I love this car'))).toBeNull();
  });
});
