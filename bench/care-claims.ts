// claimNextInteraction under BENCH_AGENTS (default 50) agents claiming at once, beside its floor:
// the same claim statement over pg, with the same agents, the same concurrency and the same
// pace. Two patterns (docs/benchmarks.md, "Care queue"): a desk (claim, respond, think, claim
// the next: the goal's p99 < 50 ms) and a closed loop (no think: capacity, claims/s). Each HTTP
// run twice, through the desk fast path and through Apollo (a second app on the same database).
// Called by care-queue.ts once its table is built and its servers listen.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { signDevToken } from '../src/auth/jwt';
import { CLAIM_SQL } from '../src/care/desk/agent.service';
import { think, type ClaimPlan, type ClaimResult } from './claim-runner';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
/** Claims each agent makes (each answered before the next, as a desk would). */
const CLAIMS_PER_AGENT = Number(process.env.BENCH_CLAIMS ?? 20);
/**
 * The desk: milliseconds (mean; each pause 0.5-1.5x) an agent spends on an item between its
 * answer and its next claim. A person takes seconds to minutes to read a post and write a
 * reply; one second is far quicker, so 50 agents here put on the service the load of some
 * thousands of real agents (about 45 claims and 45 responds a second).
 */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
const ALL_BUT_PLATINUM = ['GOLD', 'SILVER', 'BRONZE', 'NONE'];

export interface ClaimBench {
  pool: Pool;
  /** The app (claim fast path on). */
  url: string;
  /** The same app with deskFastPath: false (every claim through Apollo). */
  apolloUrl: string;
  dbUrl: string;
  secret: string;
  issuer: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A fifth of the agents serve only PLATINUM, the rest every other tier; capacity 5. */
async function createAgents(pool: Pool, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: AGENTS }, (_, k) => `${prefix}-${k}`);
  await pool.query(
    `INSERT INTO care_agents (id, name, skill_groups, lanes, tiers, channels, capacity, assignment_seconds, updated_by)
     SELECT a.id, a.id, '{}', ARRAY['CUSTOMER_SERVICE','MARKETING_PR'], string_to_array(a.tiers, ','), '{}', 5, 900, 'bench'
       FROM unnest($1::text[], $2::text[]) AS a(id, tiers)
     ON CONFLICT (id) DO NOTHING`,
    [ids, ids.map((_, k) => (k % 5 === 0 ? 'PLATINUM' : ALL_BUT_PLATINUM.join(',')))],
  );
  return ids;
}

/**
 * The plans PostgreSQL runs inside care_claim_next (auto_explain of the nested statements,
 * sent to this client as LOG notices), for a platinum-only and a four-tier agent; rolled back.
 */
async function printPlans(pool: Pool, agents: string[]): Promise<void> {
  const client = await pool.connect();
  const lines: string[] = [];
  const onNotice = (notice: { message?: string }) => lines.push(notice.message ?? '');
  client.on('notice', onNotice);
  try {
    await client.query('BEGIN');
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET LOCAL auto_explain.log_min_duration = 0; SET LOCAL auto_explain.log_nested_statements = on;
                        SET LOCAL auto_explain.log_analyze = on; SET LOCAL auto_explain.log_buffers = on; SET LOCAL client_min_messages = log`);
    for (const agent of agents.slice(0, 2)) {
      lines.length = 0;
      await client.query(CLAIM_SQL, [agent]);
      const picks = lines.filter((l) => l.includes('FOR UPDATE SKIP LOCKED'));
      console.log(`plan of the pick in care_claim_next for ${agent} (${agent.endsWith('-0') ? 'PLATINUM' : ALL_BUT_PLATINUM.join(', ')}; rolled back):`);
      console.log(picks.map((l) => l.slice(l.indexOf('Limit')).split('\n').map((s) => '  ' + s).join('\n')).join('\n'));
    }
  } finally {
    client.off('notice', onNotice);
    await client.query('ROLLBACK');
    client.release();
  }
}

/**
 * The claim under AGENTS concurrent callers, seen from PostgreSQL: a closed loop of 10 claims per
 * agent on one connection each, with auto_explain (analyze, buffers) on every nested statement
 * of care_claim_next, while another connection samples pg_stat_activity every 2 ms. Prints what
 * the claiming backends were waiting on (a Lock: the agent row or a tuple; LWLock; none: on CPU
 * or runnable), the slowest pick's plan (how many locked rows SKIP LOCKED passed) and the
 * slowest time of each of the function's statements. Untimed; its agents claim for real.
 */
async function concurrencyDiagnosis(dbUrl: string, agents: string[]): Promise<void> {
  const direct = new Pool({ connectionString: dbUrl, max: agents.length + 1 });
  const clients = await Promise.all(agents.map(() => direct.connect()));
  const sampler = await direct.connect();
  const plans: string[] = [];
  try {
    for (const c of clients) {
      await c.query(`LOAD 'auto_explain'`);
      await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on;
                     SET auto_explain.log_buffers = on; SET client_min_messages = log`);
      c.on('notice', (notice: { message?: string }) => plans.push(notice.message ?? ''));
    }
    const waits = new Map<string, number>();
    let samples = 0;
    let running = true;
    const sampling = (async () => {
      while (running) {
        const { rows } = await sampler.query<{ w: string; n: number }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'none (on CPU or runnable)') AS w, count(*)::int AS n
             FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%care_claim_next%' AND pid <> pg_backend_pid() GROUP BY 1`);
        samples++;
        for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + r.n);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await Promise.all(clients.map(async (c, k) => {
      for (let n = 0; n < 10; n++) {
        const { rows } = await c.query<{ id: string }>(CLAIM_SQL, [agents[k]]);
        if (rows[0]) await c.query(`UPDATE interactions SET status = 'RESPONDED', responded_at = now() WHERE id = $1`, [rows[0].id]);
      }
    }));
    running = false;
    await sampling;
    const total = [...waits.values()].reduce((a, b) => a + b, 0);
    console.log(`  what the claiming backends waited on (${samples} samples of pg_stat_activity, ${(total / Math.max(samples, 1)).toFixed(1)} claims active on average):`);
    for (const [w, n] of [...waits].sort((a, b) => b[1] - a[1])) console.log(`    ${w.padEnd(40)} ${((100 * n) / total).toFixed(1)}%`);
    const timeOf = (plan: string) => Number(/duration: ([\d.]+) ms/.exec(plan)?.[1] ?? 0);
    const kinds: [string, (l: string) => boolean][] = [
      ['agent lock (care_agents FOR UPDATE)', (l) => l.includes('FROM care_agents WHERE id = p_agent FOR UPDATE')],
      ['capacity count', (l) => l.includes('count(*)')],
      ['pick (FOR UPDATE SKIP LOCKED)', (l) => l.includes('SKIP LOCKED')],
      ['assign (UPDATE ... RETURNING)', (l) => l.includes('SET assigned_to = p_agent')],
    ];
    for (const [name, is] of kinds) {
      const mine = plans.filter(is).map(timeOf).sort((a, b) => a - b);
      if (mine.length) console.log(`    ${name.padEnd(40)} p50 ${mine[Math.floor(mine.length / 2)].toFixed(3)} ms  max ${mine[mine.length - 1].toFixed(3)} ms (${mine.length} runs)`);
    }
    const picks = plans.filter((l) => l.includes('SKIP LOCKED')).sort((a, b) => timeOf(b) - timeOf(a));
    if (picks[0]) console.log('  the slowest pick under concurrency:\n' + picks[0].slice(picks[0].indexOf('Limit')).split('\n').map((l) => '    ' + l).join('\n'));
  } finally {
    sampler.release();
    for (const c of clients) c.release();
    await direct.end();
  }
}

/** The floor: care_claim_next over pg on one connection per agent, all at once; answers by a plain UPDATE (untimed). */
async function floorClaims(dbUrl: string, agents: string[], thinkMs: number): Promise<ClaimResult> {
  const direct = new Pool({ connectionString: dbUrl, max: agents.length });
  const result: ClaimResult = { times: [], respondTimes: [], items: [], empty: 0 };
  try {
    const clients = await Promise.all(agents.map(() => direct.connect()));
    try {
      const claim = async (k: number, timed: boolean) => {
        const started = performance.now();
        const { rows } = await clients[k].query<{ id: string }>(CLAIM_SQL, [agents[k]]);
        if (timed) result.times.push(performance.now() - started);
        if (!rows[0]) {
          if (timed) result.empty++;
          return;
        }
        if (timed) result.items.push(rows[0].id);
        await clients[k].query(`UPDATE interactions SET status = 'RESPONDED', responded_at = now() WHERE id = $1`, [rows[0].id]);
      };
      // One untimed claim per agent first (each connection compiles care_claim_next and plans its statements), then all at once.
      for (let k = 0; k < agents.length; k++) await claim(k, false);
      await Promise.all(agents.map(async (_, k) => {
        await think(thinkMs);
        for (let n = 0; n < CLAIMS_PER_AGENT; n++) {
          await claim(k, true);
          await think(thinkMs);
        }
      }));
    } finally {
      for (const c of clients) c.release();
    }
  } finally {
    await direct.end();
  }
  return result;
}

function httpClaims(plan: ClaimPlan): Promise<ClaimResult> {
  return new Promise((resolve, reject) => {
    const runner = fork(path.join(__dirname, 'claim-runner.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    runner.once('message', (result: ClaimResult) => resolve(result));
    runner.once('exit', (code) => reject(new Error(`claim runner exited with code ${code} before reporting`)));
    runner.send(plan);
  });
}

function p50p99(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [percentile(sorted, 50), percentile(sorted, 99)];
}

/** One result line; `floor` (p50, p99 of the floor run) adds the ratios. */
function report(name: string, result: ClaimResult, seconds: number, busy: number, floor?: [number, number], serverCpuMs?: number): [number, number] {
  const times = [...result.times].sort((a, b) => a - b);
  const [p50, p99] = p50p99(times);
  const distinct = new Set(result.items).size;
  const ratio = floor ? `  (x${(p50 / floor[0]).toFixed(1)} / x${(p99 / floor[1]).toFixed(1)} the floor)` : '';
  const respond = result.respondTimes.length ? `  respond p50 ${p50p99(result.respondTimes)[0].toFixed(1)} ms  p99 ${p50p99(result.respondTimes)[1].toFixed(1)} ms` : '';
  const per = result.respondTimes.length ? ' a claim and its respond' : ' a claim';
  const cpu = (serverCpuMs === undefined ? '' : `  CPU${per}: server ${(serverCpuMs / times.length).toFixed(2)} ms`)
    + (result.clientCpuMs === undefined ? '' : `, agents' HTTP client ${(result.clientCpuMs / times.length).toFixed(2)} ms`)
    + `  machine busy ${(100 * busy).toFixed(0)}%`;
  console.log(`  ${name.padEnd(40)} claims ${times.length}  distinct ${distinct}  none ${result.empty}  `
    + `claim p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  max ${times[times.length - 1].toFixed(1)} ms  ${(times.length / seconds).toFixed(0)} claims/s${respond}${ratio}${cpu}`);
  if (distinct !== result.items.length) throw new Error(`${name}: an item was given to two agents`);
  return [p50, p99];
}

/** The result, the seconds it took, and the CPU milliseconds this process (the server of the HTTP runs) spent meanwhile. */
async function timed<T>(run: () => Promise<T>): Promise<[T, number, number, number]> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const machine = machineTicks();
  const result = await run();
  const used = process.cpuUsage(cpu);
  const after = machineTicks();
  const busy = after && machine ? (after.busy - machine.busy) / Math.max(1, after.total - machine.total) : NaN;
  return [result, (performance.now() - started) / 1000, (used.user + used.system) / 1000, busy];
}

/** CPU ticks of the whole machine (every session on it, not only this benchmark), from /proc/stat; null elsewhere. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = fields.map(Number);
    const idle = n[3] + (n[4] ?? 0);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * AGENTS agents, all at once, each claiming CLAIMS_PER_AGENT times after one untimed claim each
 * (warm connections). Every run has its own agents. Two patterns:
 * - the desk: claim, respondToInteraction (both timed), think THINK_MS, claim the next; beside
 *   the floor (the claim statement over pg, answered by a plain UPDATE, same think);
 * - the closed loop: claim, answer by a plain UPDATE (untimed), claim again at once: the p50 is
 *   about AGENTS claims queued on the CPUs, so its number is the capacity (claims/s).
 * Each HTTP run goes through the desk fast path and through Apollo, in turns, after an untimed
 * warm-up of both (3 claims and responds per agent).
 */
export async function measureClaims(bench: ClaimBench): Promise<void> {
  const tokens = (ids: string[]) => ids.map((sub) => signDevToken(bench.secret, { sub, roles: ['agent'] }, { issuer: bench.issuer, audience: bench.issuer, expiresIn: 3600 }));
  const paths = [['fast path', bench.url], ['Apollo', bench.apolloUrl]] as const;
  // Untimed: 3 claims and responds per agent on each app first, so neither timed run is the first
  // to meet the respond path (JIT, the pool's connections planning its statements).
  for (const [label, url] of paths) {
    const agents = await createAgents(bench.pool, `bench-warm-${label === 'Apollo' ? 'apollo' : 'fast'}-agent`);
    await httpClaims({ url, claimsPerAgent: 3, thinkMs: 0, tokens: tokens(agents), answer: { viaHttp: true } });
  }
  if (DESK_PAIRS > 0) return alternatePaths(bench, paths, tokens);
  for (const thinkMs of [THINK_MS, 0]) {
    const name = thinkMs === 0 ? 'loop' : `desk${thinkMs}`;
    const floorAgents = await createAgents(bench.pool, `bench-${name}-floor-agent`);
    if (thinkMs === 0) {
      await printPlans(bench.pool, floorAgents);
      console.log(`claim_next under ${AGENTS} concurrent callers (a closed loop of 10 claims each, auto_explain on; untimed):`);
      await concurrencyDiagnosis(bench.dbUrl, await createAgents(bench.pool, 'bench-diagnosis-agent'));
    }
    console.log(thinkMs === 0
      ? `claimNextInteraction, closed loop (capacity): ${AGENTS} agents at once (a fifth platinum-only), ${CLAIMS_PER_AGENT} claims each, each answered by a plain UPDATE (untimed) and claimed again at once:`
      : `claimNextInteraction, a desk: ${AGENTS} agents at once (a fifth platinum-only), ${CLAIMS_PER_AGENT} items each: claim, respondToInteraction, ${thinkMs} ms (0.5-1.5x) on the item, claim the next:`);
    const [floor, floorSeconds, , floorBusy] = await timed(() => floorClaims(bench.dbUrl, floorAgents, thinkMs));
    const base = report('floor: the claim statement over pg', floor, floorSeconds, floorBusy);
    // In turns: the desk's first run goes through the fast path, the loop's through Apollo (an order effect shows as a flip).
    for (const [label, url] of thinkMs === 0 ? [...paths].reverse() : paths) {
      const agents = await createAgents(bench.pool, `bench-${name}-${label === 'Apollo' ? 'apollo' : 'fast'}-agent`);
      const plan = { url, claimsPerAgent: CLAIMS_PER_AGENT, thinkMs, tokens: tokens(agents) };
      const answer = thinkMs === 0 ? { viaHttp: false as const, dbUrl: bench.dbUrl } : { viaHttp: true as const };
      const [http, httpSeconds, httpCpu, busy] = await timed(() => httpClaims({ ...plan, answer }));
      report(`over HTTP, ${label}`, http, httpSeconds, busy, base, httpCpu);
    }
  }
}

/** BENCH_DESK_PAIRS=N: only the desk fast path against Apollo, N pairs in turns (A B A B ...), no floor (issue 23). */
const DESK_PAIRS = Number(process.env.BENCH_DESK_PAIRS ?? 0);

/** Per pattern, N alternating runs of each path on fresh agents; the server's CPU a call, and each pair's ratio. */
async function alternatePaths(bench: ClaimBench, paths: ReadonlyArray<readonly [string, string]>, tokens: (ids: string[]) => string[]): Promise<void> {
  for (const thinkMs of [THINK_MS, 0]) {
    const name = thinkMs === 0 ? 'loop' : `desk${thinkMs}`;
    console.log(thinkMs === 0 ? `closed loop, ${AGENTS} agents, ${CLAIMS_PER_AGENT} claims each, in turns:` : `desk (claim, respond, ${thinkMs} ms), ${AGENTS} agents, ${CLAIMS_PER_AGENT} items each, in turns:`);
    const cpu: Record<string, number[]> = {};
    for (let pair = 0; pair < DESK_PAIRS; pair++) {
      // BENCH_DESK_ORDER=apollo-first: B A B A ..., to see an order effect.
      for (const [label, url] of process.env.BENCH_DESK_ORDER === 'apollo-first' ? [...paths].reverse() : paths) {
        const agents = await createAgents(bench.pool, `bench-${name}-${pair}-${label === 'Apollo' ? 'apollo' : 'fast'}-agent`);
        const answer = thinkMs === 0 ? { viaHttp: false as const, dbUrl: bench.dbUrl } : { viaHttp: true as const };
        const [http, httpSeconds, httpCpu, busy] = await timed(() => httpClaims({ url, claimsPerAgent: CLAIMS_PER_AGENT, thinkMs, tokens: tokens(agents), answer }));
        report(`pair ${pair + 1}, ${label}`, http, httpSeconds, busy, undefined, httpCpu);
        (cpu[label] ??= []).push(httpCpu / http.times.length);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratios = cpu['fast path'].map((f, k) => f / cpu.Apollo[k]);
    console.log(`  server CPU a call, median: fast path ${median(cpu['fast path']).toFixed(2)} ms, Apollo ${median(cpu.Apollo).toFixed(2)} ms; fast/Apollo by pair ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
  }
}
