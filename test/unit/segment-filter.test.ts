import { parseSegmentFilter } from '../../src/segments/segment-filter';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { details?: { field?: string } }).details?.field;
  }
  return undefined;
};

describe('segment filter from JSON (export:segment --filter)', () => {
  it('accepts every contract field and turns interactedSince into a date', () => {
    const filter = parseSegmentFilter(JSON.stringify({
      tiers: ['GOLD'], minInfluence: 2, maxInfluence: 9, influenceTopic: 'fuel', platforms: ['TWITTER'],
      interactedSince: '2026-01-01T00:00:00Z', categories: ['COMPLAINT'], topics: ['warranty'], country: 'US',
    }));
    expect(filter).toMatchObject({ tiers: ['GOLD'], minInfluence: 2, platforms: ['TWITTER'], country: 'US' });
    expect(filter.interactedSince).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it.each([
    ['not JSON', '{tiers', 'filter'],
    ['an array', '[]', 'filter'],
    ['an unknown tier', '{"tiers":["GOLDEN"]}', 'filter.tiers'],
    ['an unknown field', '{"segmentId":1}', 'filter.segmentId'],
    ['an influence out of range', '{"minInfluence":11}', 'filter.minInfluence'],
    ['min above max', '{"minInfluence":8,"maxInfluence":3}', 'filter.minInfluence'],
    ['an empty list', '{"platforms":[]}', 'filter.platforms'],
    ['a bad date', '{"interactedSince":"yesterday"}', 'filter.interactedSince'],
  ])('rejects %s naming the field', (_name, json, field) => {
    expect(fieldOf(() => parseSegmentFilter(json))).toBe(field);
  });
});

describe('purchase filters from JSON (issue 27)', () => {
  it('accepts products, purchasedSince (a date) and minLifetimeValue', () => {
    const filter = parseSegmentFilter('{"products":["Kettle"],"purchasedSince":"2026-06-01T00:00:00Z","minLifetimeValue":50}');
    expect(filter).toEqual({ products: ['Kettle'], purchasedSince: new Date('2026-06-01T00:00:00Z'), minLifetimeValue: 50 });
  });

  it.each([
    ['products that are not strings', '{"products":[1]}', 'filter.products'],
    ['no products', '{"products":[]}', 'filter.products'],
    ['a bad purchase date', '{"purchasedSince":"last week"}', 'filter.purchasedSince'],
    ['a lifetime value that is text', '{"minLifetimeValue":"50"}', 'filter.minLifetimeValue'],
    ['a negative lifetime value', '{"minLifetimeValue":-5}', 'filter.minLifetimeValue'],
  ])('rejects %s naming the field', (_name, json, field) => {
    expect(fieldOf(() => parseSegmentFilter(json))).toBe(field);
  });
});
