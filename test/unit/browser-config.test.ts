import { ConfigError, DEVELOPMENT_ORIGINS, loadConfig } from '../../src/config';
import { originRule, upgradeOriginAllowed } from '../../src/http/cors';

describe('CORS_ORIGINS', () => {
  it('defaults to the loopback on any port outside production and to nothing in production', () => {
    expect(loadConfig({}).corsOrigins).toEqual(DEVELOPMENT_ORIGINS);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) }).corsOrigins).toEqual([]);
  });

  it('reads a comma-separated list, blanks ignored', () => {
    expect(loadConfig({ CORS_ORIGINS: ' https://crm.example.com, ,http://localhost:* ' }).corsOrigins).toEqual(['https://crm.example.com', 'http://localhost:*']);
  });

  it.each(['*', 'crm.example.com', 'https://crm.example.com/', 'https://crm.example.com/app', 'ftp://x'])('stops on the entry %p', (entry) => {
    expect(() => loadConfig({ CORS_ORIGINS: entry })).toThrow(ConfigError);
  });
});

describe('the origin rule', () => {
  const allowed = originRule(['https://crm.example.com', 'http://localhost:*']);

  it('admits listed origins exactly, and any port where the entry says :*', () => {
    expect(allowed('https://crm.example.com')).toBe(true);
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://localhost')).toBe(true);
  });

  it('refuses another scheme, port, host or a suffix trick', () => {
    for (const origin of ['http://crm.example.com', 'https://crm.example.com:8443', 'https://crm.example.com.evil.io', 'https://localhost:5173', 'http://localhost.evil.io:80', 'null']) {
      expect([origin, allowed(origin)]).toEqual([origin, false]);
    }
  });

  it('lets WebSocket upgrades without an Origin (no browser) and from the same origin through', () => {
    const none = originRule([]);
    expect(upgradeOriginAllowed(none, undefined, 'api.example.com')).toBe(true);
    expect(upgradeOriginAllowed(none, 'https://api.example.com', 'api.example.com')).toBe(true);
    expect(upgradeOriginAllowed(none, 'https://evil.example.com', 'api.example.com')).toBe(false);
  });
});

describe('IDE', () => {
  it('is on outside production and off in production unless IDE=true', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({}).ide).toBe(true);
    expect(loadConfig({ IDE: 'false' }).ide).toBe(false);
    expect(loadConfig(production).ide).toBe(false);
    expect(loadConfig({ ...production, IDE: 'true' }).ide).toBe(true);
    expect(() => loadConfig({ IDE: 'yes' })).toThrow(/IDE/);
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('is off unless set, and must be an http(s) URL', () => {
    expect(loadConfig({}).otelEndpoint).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otelEndpoint).toBe('http://collector:4318');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
