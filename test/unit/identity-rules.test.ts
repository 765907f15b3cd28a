import { Channel, Direction, Platform } from '../../src/graphql/enums';
import { compileIdentityRules, isOptOut, withoutBlocked, type StoredBlock } from '../../src/identities/identity-rules';

const block = (b: Partial<StoredBlock>): StoredBlock => ({ id: 'b', kind: 'EMAIL', platform: null, value: '', isPattern: false, reason: 'r', ...b });
const handle = (platform: Platform, h: string) => ({ platform, handle: h, externalUserId: null, profileUrl: null, followerCount: null, verified: false });

describe('withoutBlocked', () => {
  const rules = compileIdentityRules([
    block({ id: 'exact', value: 'none@none.com' }),
    block({ id: 'domain', value: '.*@test\\.invalid', isPattern: true }),
    block({ id: 'tw', kind: 'HANDLE', platform: Platform.TWITTER, value: 'qa_bot' }),
    block({ id: 'any', kind: 'HANDLE', value: 'test_.*', isPattern: true }),
  ], []);

  it('leaves out exact values, whole-value pattern matches, and handles on their platform only', () => {
    const { ids, hits } = withoutBlocked(rules, {
      emails: ['none@none.com', 'a@test.invalid', 'a@test.invalid.example.com', 'someone@example.com'],
      phones: [],
      handles: [handle(Platform.TWITTER, 'qa_bot'), handle(Platform.INSTAGRAM, 'qa_bot'), handle(Platform.TIKTOK, 'test_1')],
    });
    expect(ids.emails).toEqual(['a@test.invalid.example.com', 'someone@example.com']);
    expect(ids.handles.map((h) => `${h.platform}:${h.handle}`)).toEqual(['INSTAGRAM:qa_bot']);
    expect(hits.map((h) => h.blockId)).toEqual(['exact', 'domain', 'tw', 'any']);
  });

  it('returns the identifiers untouched when nothing is blocked', () => {
    const ids = { emails: ['none@none.com'], phones: [], handles: [] };
    expect(withoutBlocked(compileIdentityRules([], ['STOP']), ids).ids).toBe(ids);
  });
});

describe('isOptOut', () => {
  const rules = compileIdentityRules([], ['STOP', 'QUIT']);
  const sms = (content: string, channel = Channel.SMS, direction = Direction.INBOUND) => isOptOut(rules, { channel, direction, content });

  it.each(['STOP', ' stop ', 'Stop.', 'stop!', '¡QUIT!'])('%j on SMS is an opt-out', (text) => expect(sms(text)).toBe(true));
  it.each(['START', 'please stop', 'stopping', '', '...'])('%j is not', (text) => expect(sms(text)).toBe(false));
  it('only inbound SMS and WhatsApp messages', () => {
    expect(sms('STOP', Channel.WHATSAPP)).toBe(true);
    expect(sms('STOP', Channel.EMAIL)).toBe(false);
    expect(sms('STOP', Channel.TWITTER)).toBe(false);
    expect(sms('STOP', Channel.SMS, Direction.OUTBOUND)).toBe(false);
  });
});
