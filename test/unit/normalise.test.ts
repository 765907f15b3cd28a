import { Platform } from '../../src/graphql/enums';
import { normaliseEmail, normaliseHandle, normalisePhone } from '../../src/identities/normalise';

describe('identifier normalisation', () => {
  it('lower-cases and trims emails', () => {
    expect(normaliseEmail(' ChadMSchaeffer@Gmail.com ')).toBe('chadmschaeffer@gmail.com');
  });

  it.each(['not an email', 'a@', '@b.com', 'a b@c.com'])('refuses %p as an email', (raw) => {
    expect(() => normaliseEmail(raw)).toThrow(/not an email/);
  });

  it('formats national phone numbers as E.164 with the given region', () => {
    expect(normalisePhone('(313) 555-0142', 'US')).toBe('+13135550142');
    expect(normalisePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it('refuses what cannot be a phone number', () => {
    expect(() => normalisePhone('12', 'US')).toThrow(/not a phone number/);
  });

  it.each([
    ['@ChadSchaeffer', 'chadschaeffer'],
    ['ChadSchaeffer', 'chadschaeffer'],
    ['https://twitter.com/ChadSchaeffer', 'chadschaeffer'],
    ['https://x.com/ChadSchaeffer/status/1', 'chadschaeffer'],
    ['mobile.twitter.com/ChadSchaeffer', 'chadschaeffer'],
  ])('reduces the Twitter form %p to %p', (raw, handle) => {
    expect(normaliseHandle(Platform.TWITTER, raw)).toEqual({ handle, externalUserId: null });
  });

  it('reduces profile URLs that carry a user id to that id', () => {
    expect(normaliseHandle(Platform.FACEBOOK, 'https://www.facebook.com/profile.php?id=100012345')).toEqual({ handle: '100012345', externalUserId: '100012345' });
    expect(normaliseHandle(Platform.YOUTUBE, 'https://youtube.com/channel/UCabc123')).toEqual({ handle: 'UCabc123', externalUserId: 'UCabc123' });
    expect(normaliseHandle(Platform.LINKEDIN, 'https://www.linkedin.com/in/Chad-Schaeffer/').handle).toBe('chad-schaeffer');
  });

  it('refuses a URL of another platform and an invalid Twitter handle', () => {
    expect(() => normaliseHandle(Platform.TWITTER, 'https://facebook.com/chad')).toThrow(/not a TWITTER profile URL/);
    expect(() => normaliseHandle(Platform.TWITTER, '@this-is-not-valid')).toThrow(/not a valid TWITTER handle/);
  });

  it('treats a WhatsApp identity as a phone number', () => {
    expect(normaliseHandle(Platform.WHATSAPP, '(313) 555-0142').handle).toBe('+13135550142');
  });
});
