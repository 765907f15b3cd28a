import { luhnValid, PiiKind, scanPii, type PiiPattern } from '../../src/care/rules/pii-scan';
import { DEFAULT_PII_PATTERNS } from '../../migrations/1795750000000-BrandSide';

const patterns: PiiPattern[] = DEFAULT_PII_PATTERNS.map(([name, kind, pattern, caseSensitive]) => ({ name, kind: kind as PiiKind, pattern, caseSensitive, enabled: true }));
const scan = (text: string) => scanPii(text, patterns, 'US');

describe('PII scan', () => {
  it('checks card numbers with the Luhn digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('finds a grouped card number and keeps only its last four digits', () => {
    expect(scan('My card 4111 1111 1111 1111 was charged twice!')).toEqual([{ kind: 'CARD_NUMBER', masked: '**** **** **** 1111' }]);
  });

  it('does not take a 16-digit number that fails Luhn for a card', () => {
    expect(scan('reference 4111111111111112 please').filter((f) => f.kind === PiiKind.CARD_NUMBER)).toEqual([]);
  });

  it('finds emails and phones through the contact-point normalisers', () => {
    expect(scan('email me at Jane.Doe@Example.com or call (313) 555-0142')).toEqual([
      { kind: 'EMAIL', masked: 'j***@e******.com' },
      { kind: 'PHONE', masked: '+1******0142' },
    ]);
    expect(scan('call +44 20 7946 0958 please')).toEqual([{ kind: 'PHONE', masked: '+44******0958' }]);
  });

  it('finds account and order numbers and postal addresses by the stored patterns', () => {
    expect(scan('my account number is 88234412 and order #A1234567')).toEqual([
      { kind: 'ACCOUNT_NUMBER', masked: '*****412' },
      { kind: 'ACCOUNT_NUMBER', masked: '*****567' },
    ]);
    expect(scan('I live at 221B Baker Street, London NW1 6XE')).toEqual([
      { kind: 'POSTAL_ADDRESS', masked: '2*** B**** S*****' },
      { kind: 'POSTAL_ADDRESS', masked: 'N** 6**' },
    ]);
  });

  it('finds nothing in an ordinary post with dates, times and counts', () => {
    expect(scan('Bought 3 cars in 2024, on 2026-01-09 at 10:30. Love it! #happy')).toEqual([]);
    expect(scan('2 cars on the way, order them by the 15th st patrick day')).toEqual([]);
  });
});
