import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { effectiveRoles, type Role } from './roles';

/** Who is calling, as proven by the bearer token. */
export interface Viewer {
  readonly sub: string;
  readonly roles: ReadonlySet<Role>;
}

export interface VerifierOptions {
  secret?: string;
  publicKey?: string;
  issuer: string;
  audience: string;
}

/** Tolerated clock skew between us and the token issuer (RFC 8725 asks for a small one). */
const CLOCK_TOLERANCE_SECONDS = 30;

export class InvalidTokenError extends Error {}

/**
 * Builds a verifier with the algorithm pinned to the configured key: HS256 for a secret,
 * RS256 or ES256 from the public key's type. `exp`, `iss` and `aud` are required.
 * Usage: `const verify = createTokenVerifier(opts); const viewer = verify(token);`
 */
export function createTokenVerifier(options: VerifierOptions): (token: string) => Viewer {
  const { key, algorithm } = verificationKey(options);
  return (token: string) => {
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
    return { sub: payload.sub, roles: effectiveRoles(claimed) };
  };
}

function verificationKey(options: VerifierOptions): { key: string | KeyObject; algorithm: Algorithm } {
  if (options.secret) return { key: options.secret, algorithm: 'HS256' };
  if (!options.publicKey) throw new Error('a JWT secret or public key is required');
  const key = createPublicKey(options.publicKey);
  if (key.asymmetricKeyType === 'rsa') return { key, algorithm: 'RS256' };
  if (key.asymmetricKeyType === 'ec') return { key, algorithm: 'ES256' };
  throw new Error(`unsupported JWT public key type ${key.asymmetricKeyType}`);
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
