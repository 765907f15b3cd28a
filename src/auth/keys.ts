import type { Config } from '../config';
import type { Logger } from '../logger';
import { readOrCreateDevSecret } from './dev-secret';
import { createTokenVerifier, type TokenVerifier } from './jwt';

/**
 * The token verifier for this configuration. Outside production, with no key configured,
 * a dev secret is created in DATA_DIR and the way to mint a token is printed.
 */
export function verifierFor(config: Config, logger: Logger): TokenVerifier {
  let secret = config.jwtSecret;
  if (!secret && !config.jwtPublicKey && !config.jwtJwksUrl) {
    const dev = readOrCreateDevSecret(config.dataDir);
    secret = dev.secret;
    logger.warn(
      { secretFile: dev.created ? 'created' : 'reused' },
      'no JWT_SECRET or JWT_PUBLIC_KEY: using the development secret in DATA_DIR; mint a token with `npm run token -- --role agent`',
    );
  }
  return createTokenVerifier({ secret, publicKey: config.jwtPublicKey, jwksUrl: config.jwtJwksUrl, issuer: config.jwtIssuer, audience: config.jwtAudience });
}
