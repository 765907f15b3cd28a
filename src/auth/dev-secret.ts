import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the development JWT secret lives when no key is configured. */
export function devSecretPath(dataDir: string): string {
  return path.join(dataDir, 'dev-jwt-secret');
}

/**
 * Outside production a missing JWT key is replaced by a random secret kept in DATA_DIR,
 * so tokens minted by `npm run token` keep working across restarts.
 */
export function readOrCreateDevSecret(dataDir: string): { secret: string; created: boolean } {
  const file = devSecretPath(dataDir);
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return { secret, created: true };
}
