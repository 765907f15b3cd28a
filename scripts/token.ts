// `npm run token -- --role agent [--role supervisor] [--sub alice] [--hours 12]`
// Prints a bearer token for the local service, signed with JWT_SECRET or the dev secret in DATA_DIR.
import { parseArgs } from 'node:util';
import { readOrCreateDevSecret } from '../src/auth/dev-secret';
import { signDevToken } from '../src/auth/jwt';
import { ROLES, isRole } from '../src/auth/roles';
import { loadConfig } from '../src/config';

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: ['viewer'] },
    sub: { type: 'string', default: 'dev-user' },
    hours: { type: 'string', default: '12' },
  },
});
const roles = values.role ?? ['viewer'];
const bad = roles.filter((r) => !isRole(r));
if (bad.length) {
  process.stderr.write(`unknown role ${bad.join(', ')}: use one of ${ROLES.join(', ')}\n`);
  process.exit(2);
}
const config = loadConfig(process.env);
if (config.jwtPublicKey || config.jwtJwksUrl) {
  process.stderr.write('JWT_PUBLIC_KEY is set: tokens come from your identity provider, not from this script\n');
  process.exit(2);
}
const secret = config.jwtSecret ?? readOrCreateDevSecret(config.dataDir).secret;
const hours = Number(values.hours);
process.stdout.write(
  signDevToken(secret, { sub: values.sub ?? 'dev-user', roles }, {
    issuer: config.jwtIssuer, audience: config.jwtAudience, expiresIn: Math.round(hours * 3600),
  }) + '\n',
);
