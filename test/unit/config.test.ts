import { ConfigError, loadConfig } from '../../src/config';

const secret = 'x'.repeat(32);

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, nodeEnv: 'development', jwtIssuer: 'social-crm', jwtAudience: 'social-crm-api', databaseUrl: undefined });
    expect(c.dataDir).toMatch(/\.data$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ JWT_SECRET: 'short' }, /at least 32 bytes/],
    [{ JWT_SECRET: secret, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, /either/],
    [{ JWT_PUBLIC_KEY: 'not a pem' }, /PEM/],
    [{ NODE_ENV: 'production', JWT_SECRET: secret }, /DATABASE_URL is required when NODE_ENV=production/],
    [{ EMBEDDED_PG_PORT: '0' }, /EMBEDDED_PG_PORT/],
    [{ SEED_DEMO: 'yes' }, /SEED_DEMO/],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' }, /JWT_SECRET or JWT_PUBLIC_KEY is required/],
    [{ WEB_CONCURRENCY: '0' }, /WEB_CONCURRENCY must be an integer between 1 and 64/],
    [{ WEB_CONCURRENCY: 'two' }, /WEB_CONCURRENCY/],
    [{ DATABASE_URL: 'postgres://db/x', DATABASE_REPLICA_URLS: 'postgres://r1/x,mysql://r2/x' }, /DATABASE_REPLICA_URLS entry 2/],
    [{ DATABASE_REPLICA_URLS: 'postgres://r1/x' }, /DATABASE_REPLICA_URLS needs DATABASE_URL/],
    [{ REPLICA_MAX_LAG_MS: '-1' }, /REPLICA_MAX_LAG_MS/],
  ])('stops on %p with one clear line', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('reads WEB_CONCURRENCY (default 1) and the replicas, comma-separated, blanks ignored', () => {
    expect(loadConfig({})).toMatchObject({ webConcurrency: 1, databaseReplicaUrls: [], replicaMaxLagMs: 5000, replicaStickinessMs: 10000 });
    const c = loadConfig({ WEB_CONCURRENCY: '4', DATABASE_URL: 'postgres://p/x', DATABASE_REPLICA_URLS: ' postgres://r1/x, ,postgresql://r2/x ', REPLICA_MAX_LAG_MS: '250' });
    expect(c).toMatchObject({ webConcurrency: 4, databaseReplicaUrls: ['postgres://r1/x', 'postgresql://r2/x'], replicaMaxLagMs: 250 });
  });

  it('accepts production with a long enough secret', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DATABASE_URL: 'postgres://db/x' }).isProduction).toBe(true);
  });

  describe('refuses unsafe settings in production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' };

    it.each([
      [{ ...production, JWT_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: 'true' }, /WEBHOOK_ALLOW_PRIVATE=true is not allowed when NODE_ENV=production/],
      [{ ...production, JWT_PUBLIC_KEY: 'http://localhost:80@idp.example.test/jwks' }, /must not carry credentials/],
      [{ ...production, JWT_PUBLIC_KEY: 'https://user:pass@idp.example.test/jwks' }, /must not carry credentials/],
      [{ ...production, JWT_PUBLIC_KEY: 'https://token@idp.example.test/jwks' }, /must not carry credentials/],
      [{ ...production, JWT_PUBLIC_KEY: 'http://idp.example.test/jwks' }, /must use https in production/],
      [{ ...production, JWT_PUBLIC_KEY: 'http://127.0.0.1:8080/jwks' }, /must use https in production/],
      [{ ...production, JWT_PUBLIC_KEY: 'http://localhost/jwks' }, /must use https in production/],
      [{ JWT_PUBLIC_KEY: 'http://localhost:80@idp.example.test/jwks' }, /must not carry credentials/],
      [{ JWT_PUBLIC_KEY: 'https://[not a host/jwks' }, /not a valid URL/],
    ])('stops on %p with one clear line', (env, message) => {
      expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
      expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
    });

    it('accepts an https JWKS URL in production, and private webhook targets and http JWKS outside it', () => {
      expect(loadConfig({ ...production, JWT_PUBLIC_KEY: 'https://idp.example.test/.well-known/jwks.json' }).jwtJwksUrl).toBe('https://idp.example.test/.well-known/jwks.json');
      expect(loadConfig({ ...production, JWT_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
      expect(loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
      expect(loadConfig({ JWT_PUBLIC_KEY: 'http://127.0.0.1:8080/jwks' }).jwtJwksUrl).toBe('http://127.0.0.1:8080/jwks');
    });
  });
});
