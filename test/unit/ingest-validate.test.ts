import { contentHash, isItemError, prepareItem } from '../../src/care/intake/ingest.validate';
import type { InteractionInput } from '../../src/interactions/interaction.inputs';

const input = (over: Partial<InteractionInput> = {}) =>
  ({ idempotencyKey: 'k1', platform: 'TWITTER', handle: '@Chad', channel: 'TWITTER', content: 'hello', ...over }) as InteractionInput;
const now = new Date('2026-01-01T12:00:00Z');

describe('ingestion checks without the database', () => {
  it('hashes the content without the key, ignoring field order and absent fields', () => {
    expect(contentHash(input())).toBe(contentHash(input({ idempotencyKey: 'other', topics: undefined })));
    expect(contentHash({ content: 'hello', channel: 'TWITTER', handle: '@Chad', platform: 'TWITTER', idempotencyKey: 'x' } as InteractionInput))
      .toBe(contentHash(input()));
    expect(contentHash(input({ content: 'hello!' }))).not.toBe(contentHash(input()));
  });

  it('keeps the hashes rows were stored with, so retries of old calls still match', () => {
    expect(contentHash(input({ idempotencyKey: 'k' }))).toBe('694247e0d7bfc8a41019a6acd60fcbca69d5e05fd786d61ef9e279be5382f2c1');
    const full = {
      idempotencyKey: 'k2', content: 'hé "quoted" \n line', channel: 'EMAIL', email: 'a@b.c', occurredAt: new Date('2026-01-02T03:04:05.678Z'),
      topics: ['b', 'a'], sentiment: -0.5, isPublic: false, followerCount: 12, customerId: null, phone: undefined,
    } as unknown as InteractionInput;
    expect(contentHash(full)).toBe('ee2e505be667f609b40b5842ddc35d3ad0f1b26e176418076142ec729314813a');
  });

  it('defaults direction, time and visibility by channel', () => {
    const tweet = prepareItem(input(), 0, 'US', now);
    const sms = prepareItem(input({ channel: 'SMS' as never }), 0, 'US', now);
    expect(isItemError(tweet) || isItemError(sms)).toBe(false);
    expect(tweet).toMatchObject({ direction: 'INBOUND', occurredAt: now, isPublic: true });
    expect(sms).toMatchObject({ isPublic: false });
  });

  it('names the field of the first problem of an item', () => {
    expect(prepareItem(input({ handle: 'not a handle!' }), 4, 'US', now)).toMatchObject({ index: 4, field: 'handle' });
    expect(prepareItem(input({ platform: null, handle: null }), 0, 'US', now)).toMatchObject({ field: 'customerId' });
    expect(prepareItem(input({ sentiment: 2 }), 0, 'US', now)).toMatchObject({ field: 'sentiment' });
    expect(prepareItem(input({ occurredAt: new Date('2026-01-02T00:00:00Z') }), 0, 'US', now)).toMatchObject({ field: 'occurredAt' });
    expect(prepareItem(input({ phone: '12' }), 0, 'US', now)).toMatchObject({ field: 'phone' });
  });
});
