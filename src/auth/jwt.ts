import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { effectiveRoles, type Role } from './roles';

/** Who is calling, as proven by the bearer token. */
export interface Viewer {
  readonly sub: string;
  readonly roles: ReadonlySet<Role>;
}

export interface VerifierOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** RS256/ES256 public key in PEM form. */
  publicKey?: string;
  /** URL of a JSON Web Key Set; the token's `kid` picks the key. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

export type TokenVerifier = (token: string) => Promise<Viewer>;

/** Tolerated clock skew between us and the token issuer (RFC 8725 asks for a small one; at most 60 s). */
export const CLOCK_TOLERANCE_SECONDS = 30;

export class InvalidTokenError extends Error {}

/**
 * Builds a verifier with the algorithm pinned to the key, never taken from the token
 * (RFC 8725 3.1): HS256 for a secret, RS256 or ES256 from the public key's type; with a JWKS,
 * from the type of the key that the token's `kid` names. `exp`, `iss` and `aud` are required.
 * Usage: `const verify = createTokenVerifier(opts); const viewer = await verify(token);`
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keyFor = keyResolver(options);
  return cachedUntilExpiry(async (token: string) => {
    const { key, algorithm } = await keyFor(token);
    let payload: string | JwtPayload;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [algorithm],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
    }
    if (typeof payload === 'string') throw new InvalidTokenError('token payload must be a JSON object');
    // jsonwebtoken accepts a token without exp; we do not.
    if (typeof payload.exp !== 'number') throw new InvalidTokenError('token has no exp claim');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('token has no sub claim');
    const claimed: unknown = payload.roles;
    if (!Array.isArray(claimed)) throw new InvalidTokenError('token has no roles claim');
    return { viewer: { sub: payload.sub, roles: effectiveRoles(claimed) }, expiresAtMs: payload.exp * 1000 };
  });
}

/** Verified tokens remembered at most; the least recently used is forgotten first. */
export const TOKEN_CACHE_SIZE = 10_000;

/**
 * Remembers each verified token (by its exact text, so any change to it is a new token) until
 * its `exp`, so a client that sends the same bearer token on every request pays for the
 * signature check once. Refusals are never remembered. A token stays accepted until its own
 * expiry even if its JWKS key is rotated out meanwhile (tokens are short-lived).
 */
function cachedUntilExpiry(verify: (token: string) => Promise<{ viewer: Viewer; expiresAtMs: number }>): TokenVerifier {
  const verified = new Map<string, { viewer: Viewer; expiresAtMs: number }>();
  return async (token: string) => {
    const hit = verified.get(token);
    if (hit) {
      verified.delete(token);
      if (Date.now() < hit.expiresAtMs) {
        verified.set(token, hit);
        return hit.viewer;
      }
    }
    const fresh = await verify(token);
    if (Date.now() < fresh.expiresAtMs) {
      verified.set(token, fresh);
      if (verified.size > TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    }
    return fresh.viewer;
  };
}

type PinnedKey = { key: string | KeyObject; algorithm: Algorithm };

function keyResolver(options: VerifierOptions): (token: string) => Promise<PinnedKey> {
  if (options.secret) {
    // A KeyObject made once: given a string, jsonwebtoken first tries to parse it as a PEM
    // public key on every request (about a tenth of the CPU of a customer 360 request).
    const pinned: PinnedKey = { key: createSecretKey(Buffer.from(options.secret, 'utf8')), algorithm: 'HS256' };
    return async () => pinned;
  }
  if (options.publicKey) {
    const pinned = pinPublicKey(createPublicKey(options.publicKey));
    return async () => pinned;
  }
  if (options.jwksUrl) return jwksResolver(options.jwksUrl);
  throw new Error('a JWT secret, public key or JWKS URL is required');
}

function pinPublicKey(key: KeyObject): PinnedKey {
  if (key.asymmetricKeyType === 'rsa') return { key, algorithm: 'RS256' };
  if (key.asymmetricKeyType === 'ec') return { key, algorithm: 'ES256' };
  throw new Error(`unsupported JWT public key type ${key.asymmetricKeyType}`);
}

/**
 * Keys from an identity provider's JWKS, cached and fetched at most 10 times a minute, so a
 * flood of tokens with made-up `kid`s cannot make us hammer the provider.
 */
function jwksResolver(jwksUrl: string): (token: string) => Promise<PinnedKey> {
  const client = new JwksClient({ jwksUri: jwksUrl, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5_000 });
  return async (token: string) => {
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded && typeof decoded === 'object' ? decoded.header.kid : undefined;
    if (!kid) throw new InvalidTokenError('token has no kid header (required with a JWKS)');
    let pem: string;
    try {
      pem = (await client.getSigningKey(kid)).getPublicKey();
    } catch (error) {
      throw new InvalidTokenError(`no usable key "${kid}" in the JWKS: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return pinPublicKey(createPublicKey(pem));
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : 'unusable JWKS key');
    }
  };
}

/**
 * Mints an HS256 token for local use and tests.
 * Usage: `signDevToken(secret, { sub: 'alice', roles: ['agent'] }, { issuer, audience })`
 */
export function signDevToken(
  secret: string,
  claims: { sub: string; roles: string[] },
  options: { issuer: string; audience: string; expiresIn?: number },
): string {
  return jwt.sign({ roles: claims.roles }, secret, {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: options.issuer,
    audience: options.audience,
    expiresIn: options.expiresIn ?? 12 * 3600,
  });
}
