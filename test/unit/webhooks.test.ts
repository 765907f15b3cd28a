import { backoffMs, outcomeOf, retryAfterMs } from '../../src/webhooks/delivery-worker';
import { checkWebhookUrl, isPrivateAddress } from '../../src/webhooks/webhook-url';
import { SecretBox } from '../../src/webhooks/webhook-secrets';
import { sign, verify } from '../../src/webhooks/webhook-signature';

describe('webhook URLs', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::'])(
    '%s is private', (a) => expect(isPrivateAddress(a)).toBe(true));
  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '172.32.0.1'])('%s is public', (a) => expect(isPrivateAddress(a)).toBe(false));

  const strict = { allowPrivate: false, requireHttps: true };
  it('refuses loopback, private and link-local targets unless allowed, http in production, credentials', async () => {
    await expect(checkWebhookUrl('https://127.0.0.1/x', strict)).rejects.toThrow(/loopback, private or link-local/);
    await expect(checkWebhookUrl('https://localhost/x', strict)).rejects.toThrow(/loopback, private or link-local/);
    await expect(checkWebhookUrl('https://[::1]/x', strict)).rejects.toThrow(/loopback/);
    await expect(checkWebhookUrl('https://169.254.169.254/latest', strict)).rejects.toThrow(/link-local/);
    await expect(checkWebhookUrl('http://8.8.8.8/x', strict)).rejects.toThrow(/https in production/);
    await expect(checkWebhookUrl('https://u:p@8.8.8.8/x', strict)).rejects.toThrow(/credentials/);
    await expect(checkWebhookUrl('not a url', strict)).rejects.toThrow(/valid absolute URL/);
    await expect(checkWebhookUrl('https://8.8.8.8/x', strict)).resolves.toBe('https://8.8.8.8/x');
    await expect(checkWebhookUrl('http://127.0.0.1:8080/x', { allowPrivate: true, requireHttps: false })).resolves.toBe('http://127.0.0.1:8080/x');
  });
});

describe('delivery rules', () => {
  it('2xx delivered; 408, 429, 5xx retried; other 4xx and 3xx stop', () => {
    expect(outcomeOf(204, undefined).kind).toBe('delivered');
    for (const s of [408, 429, 500, 502, 503]) expect(outcomeOf(s, undefined).kind).toBe('retry');
    for (const s of [301, 400, 401, 404, 410, 422]) expect(outcomeOf(s, undefined).kind).toBe('stop');
    expect(outcomeOf(429, '7')).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const o = { baseBackoffMs: 1000, maxBackoffMs: 60_000 };
    expect(backoffMs(1, o, () => 0)).toBe(500);
    expect(backoffMs(1, o, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffMs(4, o, () => 1)).toBe(8000);
    expect(backoffMs(30, o, () => 1)).toBe(60_000);
    const spread = new Set(Array.from({ length: 20 }, () => backoffMs(3, o)));
    expect(spread.size).toBeGreaterThan(1);
  });
});

describe('secrets and signatures', () => {
  it('seals and opens with the key; another key cannot open it', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
  });

  it('signs "<timestamp>.<body>" and verifies in constant time within 5 minutes', () => {
    const now = 1_780_000_000_000;
    const ts = Math.floor(now / 1000);
    const sig = sign('s3cret', ts, '{"a":1}');
    expect(verify('s3cret', '{"a":1}', String(ts), sig, now)).toBe(true);
    expect(verify('s3cret', '{"a":2}', String(ts), sig, now)).toBe(false);
    expect(verify('other', '{"a":1}', String(ts), sig, now)).toBe(false);
    expect(verify('s3cret', '{"a":1}', String(ts), sig, now + 301_000)).toBe(false);
    expect(verify('s3cret', '{"a":1}', undefined, sig, now)).toBe(false);
  });
});
