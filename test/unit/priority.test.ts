import fc from 'fast-check';
import { InteractionCategory, Tier } from '../../src/graphql/enums';
import { DEFAULT_PRIORITY_WEIGHTS as W, MAX_SLA_DOUBLINGS, customerPriority, interactionPriority, type PriorityInput } from '../../src/influence/priority';

const NOW = new Date('2026-03-02T12:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

function item(overrides: Partial<PriorityInput>): PriorityInput {
  return {
    tier: Tier.NONE, influence: null, category: InteractionCategory.QUESTION, sentiment: null,
    content: 'hello', topics: [], slaDueAt: minutes(60), occurredAt: minutes(-60), ...overrides,
  };
}
const score = (i: PriorityInput, now = NOW) => interactionPriority(i, W, now).score;
const sumOf = (reasons: { contribution: number }[]) => reasons.reduce((s, r) => s + r.contribution, 0);

describe('priority formula', () => {
  it('ranks a platinum complaint near breach above a bronze compliment due at the same time', () => {
    const platinum = item({ tier: Tier.PLATINUM, category: InteractionCategory.COMPLAINT, sentiment: -0.6, slaDueAt: minutes(10) });
    const bronze = item({ tier: Tier.BRONZE, category: InteractionCategory.COMPLIMENT, sentiment: 0.9, slaDueAt: minutes(10) });
    expect(score(platinum)).toBeGreaterThan(score(bronze));
  });

  it('ranks a platinum complaint near breach above a bronze compliment that is due later', () => {
    const platinum = item({ tier: Tier.PLATINUM, category: InteractionCategory.COMPLAINT, slaDueAt: minutes(5) });
    const bronze = item({ tier: Tier.BRONZE, category: InteractionCategory.COMPLIMENT, slaDueAt: minutes(240) });
    expect(score(platinum)).toBeGreaterThan(score(bronze));
  });

  it('ranks an influential bronze customer with a complaint above a quiet silver one with a complaint', () => {
    const influential = item({ tier: Tier.BRONZE, influence: { score: 9, topic: null }, category: InteractionCategory.COMPLAINT });
    const quiet = item({ tier: Tier.SILVER, influence: { score: 1.5, topic: null }, category: InteractionCategory.COMPLAINT });
    expect(score(influential)).toBeGreaterThan(score(quiet));
  });

  it('ranks a complaint above a compliment when everything else is equal', () => {
    expect(score(item({ category: InteractionCategory.COMPLAINT }))).toBeGreaterThan(score(item({ category: InteractionCategory.COMPLIMENT })));
  });

  it('ranks a churn signal and negative sentiment above the same item without them', () => {
    const plain = item({ category: InteractionCategory.COMPLAINT });
    expect(score({ ...plain, content: 'I am thinking of leaving for your competitor' })).toBeGreaterThan(score(plain));
    expect(score({ ...plain, sentiment: -0.8 })).toBeGreaterThan(score(plain));
  });

  it('rises steeply near breach: the SLA factor doubles every slaDoublingMinutes', () => {
    const i = item({ slaDueAt: minutes(60) });
    const at = (m: number) => score(i, minutes(m));
    expect(at(60)).toBeCloseTo(interactionPriority(i, W, NOW).base);
    expect(at(60 + W.slaDoublingMinutes) / at(60)).toBeCloseTo(2);
    expect(at(60) - at(60 - W.slaDoublingMinutes)).toBeGreaterThan(at(0) - at(-W.slaDoublingMinutes));
  });

  it('lists reasons that add up to the score', () => {
    const p = interactionPriority(
      item({ tier: Tier.GOLD, influence: { score: 7, topic: 'mileage' }, category: InteractionCategory.COMPLAINT, sentiment: -0.5, content: 'cancel my order', slaDueAt: minutes(-20) }),
      W, NOW,
    );
    expect(p.reasons.map((r) => r.factor)).toEqual(['base', 'tier', 'influence', 'category', 'sentiment', 'churn', 'sla']);
    expect(sumOf(p.reasons)).toBeCloseTo(p.score, 9);
    expect(p.reasons.find((r) => r.factor === 'influence')!.detail).toContain('mileage');
  });

  it('never lets the static part fall below 1, and says so in a floor reason that keeps the sum', () => {
    const w = { ...W, base: 0 };
    const p = interactionPriority(item({ category: InteractionCategory.OTHER, sentiment: 1 }), w, NOW);
    expect(p.base).toBe(1);
    expect(p.reasons.some((r) => r.factor === 'floor')).toBe(true);
    expect(sumOf(p.reasons)).toBeCloseTo(p.score, 9);
  });

  it('orders by queueKey exactly as by score, at any later time (time-invariant ordering)', () => {
    const arbItem = fc.record({
      tier: fc.constantFrom(...Object.values(Tier)),
      influence: fc.option(fc.record({ score: fc.double({ min: 1, max: 10, noNaN: true }), topic: fc.constant(null) })),
      category: fc.constantFrom(...Object.values(InteractionCategory)),
      sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true })),
      dueIn: fc.integer({ min: -600, max: 1440 }),
    });
    fc.assert(
      fc.property(arbItem, arbItem, fc.integer({ min: 0, max: 600 }), (a, b, later) => {
        const toInput = (x: typeof a) => item({ ...x, slaDueAt: minutes(x.dueIn) });
        const pa = interactionPriority(toInput(a), W, minutes(later));
        const pb = interactionPriority(toInput(b), W, minutes(later));
        if (Math.abs(pa.queueKey - pb.queueKey) < 1e-6) return;
        expect(pa.queueKey < pb.queueKey).toBe(pa.score > pb.score);
      }),
    );
  });

  it('keeps the score bounded and finite for an item any time past due, its reasons still adding up', () => {
    const forever = item({ tier: Tier.PLATINUM, category: InteractionCategory.COMPLAINT, slaDueAt: minutes(-60 * 24 * 365 * 5) });
    const p = interactionPriority(forever, W, NOW);
    expect(Number.isFinite(p.score)).toBe(true);
    expect(p.score).toBe(p.base * 2 ** MAX_SLA_DOUBLINGS);
    expect(sumOf(p.reasons)).toBeCloseTo(p.score, -2);
    // A day overdue and five years overdue: the same cap.
    expect(score(item({ slaDueAt: minutes(-W.slaDoublingMinutes * MAX_SLA_DOUBLINGS) }))).toBe(score(item({ slaDueAt: minutes(-60 * 24 * 365 * 5) })));
  });

  it('keeps the customer standing priority as tier plus influence points', () => {
    const p = customerPriority(Tier.GOLD, 7.5);
    expect(p.score).toBe(30 + 7.5 * 5);
    expect(sumOf(p.reasons)).toBe(p.score);
  });
});
