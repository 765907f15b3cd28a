import path from 'node:path';

/** Log levels understood by the logger, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly port: number;
  /** Unset: start an embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** HS256 shared secret (>= 32 bytes); exclusive with jwtPublicKey. */
  readonly jwtSecret: string | undefined;
  /** RS256/ES256 public key in PEM form. */
  readonly jwtPublicKey: string | undefined;
  /** JWT_PUBLIC_KEY given as an http(s) URL: a JWKS whose keys are picked by the token's `kid`. */
  readonly jwtJwksUrl: string | undefined;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly logLevel: LogLevel;
  /** Region assumed for phone numbers written without a country code. */
  readonly defaultPhoneRegion: string;
  readonly dbPoolSize: number;
  /** Port of the embedded PostgreSQL started when DATABASE_URL is unset. */
  readonly embeddedPgPort: number;
  /** Load demo data into an empty database: true/false, or undefined for "only a local embedded one". */
  readonly seedDemo: boolean | undefined;
  /** Mutations one token subject may send per minute before RATE_LIMITED. */
  readonly mutationsPerMinute: number;
  /** Worker processes serving one port (node:cluster); 1 = this process serves. */
  readonly webConcurrency: number;
  /** Read replicas for query operations (DATABASE_REPLICA_URLS, comma-separated); empty = primary only. */
  readonly databaseReplicaUrls: readonly string[];
  /** A replica further behind than this is skipped until it catches up. */
  readonly replicaMaxLagMs: number;
  /** After a subject's mutation, its reads stay on the primary at most this long (or until a replica replayed it). */
  readonly replicaStickinessMs: number;
  /** Webhook URLs may resolve to loopback, private or link-local addresses (tests, local setups); never by default. */
  readonly webhookAllowPrivate: boolean;
  /** 32-byte AES key (base64 or hex) that encrypts webhook secrets; unset: a key file under dataDir, made on first use. */
  readonly webhookSecretKey: string | undefined;
  /** Deliver webhooks from this process (every process may; they share the work through row locks). */
  readonly webhookWorker: boolean;
  /** Open live (WebSocket) connections one token subject may hold. */
  readonly liveConnectionsPerSubject: number;
  /** Connections of the pool live payload reads use, per process (beside DB_POOL_SIZE). */
  readonly livePoolSize: number;
  /** Outbox events (and their finished webhook deliveries) older than this are pruned; over the 24 h retry window. */
  readonly outboxRetentionHours: number;
  /** Origins of browser apps (CORS and WebSocket upgrades); `scheme://host:*` admits any port. */
  readonly corsOrigins: readonly string[];
  /** GraphiQL at GET /graphql for browsers: on outside production, off in production unless IDE=true. */
  readonly ide: boolean;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: OTLP/HTTP base URL traces are exported to (at /v1/traces); unset: no tracing. */
  readonly otelEndpoint: string | undefined;
  /** TRUSTED_DOCUMENTS: path of a manifest of operation hash -> document; in production only those run. */
  readonly trustedDocuments: string | undefined;
}

/** A configuration value that cannot be used; start-up prints its message and stops. */
export class ConfigError extends Error {}

const MIN_HS256_SECRET_BYTES = 32;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function nonEmpty(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

/** WEBHOOK_SECRET_KEY: 32 bytes, as 64 hex digits or base64. */
function secretKey(env: NodeJS.ProcessEnv): string | undefined {
  const raw = nonEmpty(env, 'WEBHOOK_SECRET_KEY')?.trim();
  if (raw === undefined) return undefined;
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new ConfigError('WEBHOOK_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
  return bytes.toString('base64');
}

/** CORS_ORIGINS unset outside production: any port on the loopback names (a Vite dev server on :5173, say). */
export const DEVELOPMENT_ORIGINS: readonly string[] = Object.freeze(['http://localhost:*', 'http://127.0.0.1:*']);

const ORIGIN_ENTRY = /^https?:\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(:(\d{1,5}|\*))?$/i;

/** CORS_ORIGINS: comma-separated origins; a typo stops start-up rather than silently refusing every browser. */
function corsOrigins(env: NodeJS.ProcessEnv, isProduction: boolean): readonly string[] {
  const raw = nonEmpty(env, 'CORS_ORIGINS');
  if (raw === undefined) return isProduction ? Object.freeze([]) : DEVELOPMENT_ORIGINS;
  const entries = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const entry of entries) {
    if (entry === '*') throw new ConfigError('CORS_ORIGINS does not accept "*": list the origins of your browser apps');
    if (!ORIGIN_ENTRY.test(entry)) throw new ConfigError(`CORS_ORIGINS entry "${entry}" is not an origin (scheme://host[:port] or scheme://host:*, no path)`);
  }
  return Object.freeze(entries);
}

/** OTEL_EXPORTER_OTLP_ENDPOINT, the OpenTelemetry standard variable: an http(s) URL. */
function otlpEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const raw = nonEmpty(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')?.trim();
  if (raw !== undefined && !/^https?:\/\/[^\s]+$/.test(raw)) throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (the OTLP/HTTP collector, e.g. http://localhost:4318)');
  return raw;
}

/**
 * The keys that sign every token come from this URL, so it is read as a URL (a prefix test let
 * `http://localhost:80@idp.example/` pass as the loopback, when its host is idp.example):
 * credentials in it are refused everywhere (they would end up in logs and error messages), and
 * production takes https only.
 */
function checkJwksUrl(value: string, isProduction: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY as a JWKS URL is not a valid URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('JWT_PUBLIC_KEY as a JWKS URL must not carry credentials (user:password@host)');
  }
  if (isProduction && url.protocol !== 'https:') {
    throw new ConfigError('JWT_PUBLIC_KEY as a JWKS URL must use https in production');
  }
}

/** Webhook targets on private or loopback addresses are for tests: in production they would let a webhook reach inside the network. */
function webhookAllowPrivate(env: NodeJS.ProcessEnv, isProduction: boolean): boolean {
  const allow = oneOf(env, 'WEBHOOK_ALLOW_PRIVATE', ['true', 'false'] as const, 'false') === 'true';
  if (allow && isProduction) throw new ConfigError('WEBHOOK_ALLOW_PRIVATE=true is not allowed when NODE_ENV=production');
  return allow;
}

/**
 * Reads and validates the environment once.
 * Usage: `const config = loadConfig(process.env)`; throws ConfigError with one readable line.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const jwtSecret = nonEmpty(env, 'JWT_SECRET');
  const publicKeyOrUrl = nonEmpty(env, 'JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  const jwtJwksUrl = publicKeyOrUrl !== undefined && /^https?:\/\//.test(publicKeyOrUrl) ? publicKeyOrUrl.trim() : undefined;
  const jwtPublicKey = jwtJwksUrl === undefined ? publicKeyOrUrl : undefined;
  if (jwtSecret !== undefined && publicKeyOrUrl !== undefined) {
    throw new ConfigError('set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), not both');
  }
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256`);
  }
  if (jwtPublicKey !== undefined && !jwtPublicKey.includes('-----BEGIN')) {
    throw new ConfigError('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWKS URL (https://...)');
  }
  const isProduction = nodeEnv === 'production';
  if (isProduction && databaseUrl === undefined) {
    throw new ConfigError('DATABASE_URL is required when NODE_ENV=production (the embedded PostgreSQL is for development)');
  }
  if (jwtJwksUrl !== undefined) checkJwksUrl(jwtJwksUrl, isProduction);
  if (isProduction && jwtSecret === undefined && publicKeyOrUrl === undefined) {
    throw new ConfigError('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  }
  const region = (nonEmpty(env, 'DEFAULT_PHONE_REGION') ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) {
    throw new ConfigError(`DEFAULT_PHONE_REGION must be a two-letter country code, got "${region}"`);
  }
  const databaseReplicaUrls = (nonEmpty(env, 'DATABASE_REPLICA_URLS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  for (const [i, u] of databaseReplicaUrls.entries()) {
    if (!/^postgres(ql)?:\/\//.test(u)) throw new ConfigError(`DATABASE_REPLICA_URLS entry ${i + 1} must be a postgres:// or postgresql:// URL`);
  }
  if (databaseReplicaUrls.length > 0 && databaseUrl === undefined) {
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL (the primary they replicate)');
  }
  return Object.freeze({
    nodeEnv,
    isProduction,
    port: integer(env, 'PORT', 4000, 0, 65535),
    databaseUrl,
    dataDir: path.resolve(nonEmpty(env, 'DATA_DIR') ?? '.data'),
    jwtSecret,
    jwtPublicKey,
    jwtJwksUrl,
    jwtIssuer: nonEmpty(env, 'JWT_ISSUER') ?? 'social-crm',
    jwtAudience: nonEmpty(env, 'JWT_AUDIENCE') ?? 'social-crm-api',
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, isProduction ? 'info' : 'info'),
    defaultPhoneRegion: region,
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 20, 1, 500),
    embeddedPgPort: integer(env, 'EMBEDDED_PG_PORT', 54320, 1, 65535),
    seedDemo: oneOf(env, 'SEED_DEMO', ['true', 'false', ''] as const, '') === '' ? undefined : env.SEED_DEMO === 'true',
    mutationsPerMinute: integer(env, 'MUTATIONS_PER_MINUTE', 600, 1, 1_000_000),
    webConcurrency: integer(env, 'WEB_CONCURRENCY', 1, 1, 64),
    databaseReplicaUrls: Object.freeze(databaseReplicaUrls),
    replicaMaxLagMs: integer(env, 'REPLICA_MAX_LAG_MS', 5_000, 0, 3_600_000),
    replicaStickinessMs: integer(env, 'REPLICA_STICKINESS_MS', 10_000, 0, 3_600_000),
    webhookAllowPrivate: webhookAllowPrivate(env, isProduction),
    webhookSecretKey: secretKey(env),
    webhookWorker: oneOf(env, 'WEBHOOK_WORKER', ['true', 'false'] as const, 'true') === 'true',
    liveConnectionsPerSubject: integer(env, 'LIVE_CONNECTIONS_PER_SUBJECT', 20, 1, 100_000),
    livePoolSize: integer(env, 'LIVE_POOL_SIZE', 4, 1, 100),
    outboxRetentionHours: integer(env, 'OUTBOX_RETENTION_HOURS', 24 * 7, 25, 24 * 3650),
    corsOrigins: corsOrigins(env, isProduction),
    otelEndpoint: otlpEndpoint(env),
    trustedDocuments: nonEmpty(env, 'TRUSTED_DOCUMENTS') === undefined ? undefined : path.resolve(env.TRUSTED_DOCUMENTS!.trim()),
    ide: oneOf(env, 'IDE', ['true', 'false'] as const, isProduction ? 'false' : 'true') === 'true',
  });
}
