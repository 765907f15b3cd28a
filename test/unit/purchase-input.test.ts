import 'reflect-metadata';
import { PurchaseInput } from '../../src/purchases/purchase.types';

// type-graphql builds one PurchaseInput per item of a bulk call (up to 1,000) and deletes every
// property the caller did not send; with ES2022 class fields each of those deletes turned an
// instance into a slow dictionary object (the conversion cost twice as much). The fields are
// `declare`d so that an instance starts empty; this keeps anyone from dropping the keyword.
describe('PurchaseInput', () => {
  it('defines no property of its own until a value is given', () => {
    expect(Object.keys(new PurchaseInput())).toEqual([]);
    const sent = Object.assign(new PurchaseInput(), { idempotencyKey: 'k', product: 'Boots' });
    expect(Object.keys(sent)).toEqual(['idempotencyKey', 'product']);
  });
});
