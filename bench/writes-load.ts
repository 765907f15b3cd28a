import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { CLAIM_SQL } from '../src/care/desk/agent.service';
import { think } from './claim-runner';
import { FLOOR } from './write-floors';

/**
 * The clients of bench/writes.ts, in their own process (forked), so they share no event loop
 * and no CPU account with the service they measure. Receives a WritesSetup once, then one
 * WritesPhase per message, answering a PhaseOutcome each; exits on disconnect.
 * Every client is a closed loop: one call, its answer, (think,) the next call.
 */

export type WriteOp = 'recordInteraction' | 'respondToInteraction' | 'escalateInteraction' | 'claimNextInteraction' | 'recordTouchpoint' | 'setConsent';

export interface WritesSetup {
  url: string;
  dbUrl: string;
  /** One token per client slot (each its own subject, `bench-w-<n>`, an agent and a care-desk writer). */
  tokens: string[];
  /** Subjects, in token order (the claim floor claims as these agents). */
  subjects: string[];
  customers: string[];
  /** Open inbound interactions answered (cyclically) by respond and its floor. */
  respondPool: string[];
  /** Open inbound interactions escalated (cyclically, one team after another) by escalate and its floor. */
  escalatePool: string[];
  socialIdentities: string[];
  thinkMs: number;
}

export interface WritesPhase {
  op: WriteOp;
  /** true: the same rows by hand-written SQL over pg; false: the GraphQL call over HTTP. */
  floor: boolean;
  clients: number;
  seconds: number;
}

export interface PhaseOutcome {
  calls: number;
  failed: number;
  firstFailure?: string;
  p50: number;
  p99: number;
  seconds: number;
  clientCpuSeconds: number;
}

const TEAMS = ['RETENTION', 'TECHNICAL', 'SUPERVISOR', 'LEGAL', 'PR_CRISIS'];

const GQL: Record<WriteOp, string> = {
  recordInteraction: `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id status } }`,
  respondToInteraction: `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id status } }`,
  escalateInteraction: `mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`,
  claimNextInteraction: `mutation { claimNextInteraction { id } }`,
  recordTouchpoint: `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`,
  setConsent: `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
};

let setup: WritesSetup;
let pool: Pool;
/** Shared cursors: every call of a run takes the next item (cyclically), whichever client makes it. */
let cursor = 0;

function next<T>(xs: T[]): { item: T; round: number } {
  const n = cursor++;
  return { item: xs[n % xs.length], round: Math.floor(n / xs.length) };
}

/** The GraphQL variables of one call (for the client at `slot`). */
function variables(op: WriteOp): Record<string, unknown> {
  const tag = randomUUID();
  switch (op) {
    case 'recordInteraction':
      return { input: { idempotencyKey: `w-${tag}`, customerId: next(setup.customers).item, channel: 'FACEBOOK', content: `My parcel ${tag.slice(0, 8)} never arrived, where is it?` } };
    case 'respondToInteraction':
      return { input: { interactionId: next(setup.respondPool).item, content: 'Sorry about that: a new one is on its way.' } };
    case 'escalateInteraction': {
      const { item, round } = next(setup.escalatePool);
      return { input: { interactionId: item, team: TEAMS[round % TEAMS.length], reason: 'needs a specialist' } };
    }
    case 'claimNextInteraction':
      return {};
    case 'recordTouchpoint':
      return { input: { touchpoint: 'ONLINE_PURCHASE', name: `Bench ${tag.slice(0, 8)}`, emails: [`w-${tag}@example.com`] } };
    case 'setConsent':
      return { input: { socialIdentityId: next(setup.socialIdentities).item, purpose: 'MARKETING', status: cursor % 2 ? 'GRANTED' : 'REVOKED', source: 'SOCIAL_MESSAGE' } };
  }
}

/** The floor's parameters of one call, as variables() for the same op. */
function floorParams(op: Exclude<WriteOp, 'claimNextInteraction'>, subject: string): unknown[] {
  const tag = randomUUID();
  switch (op) {
    case 'recordInteraction':
      return [next(setup.customers).item, `My parcel ${tag.slice(0, 8)} never arrived, where is it?`, `wf-${tag}`, subject];
    case 'respondToInteraction':
      return [next(setup.respondPool).item, 'Sorry about that: a new one is on its way.', subject];
    case 'escalateInteraction': {
      const { item, round } = next(setup.escalatePool);
      return [item, TEAMS[round % TEAMS.length], subject];
    }
    case 'recordTouchpoint':
      return [`Bench ${tag.slice(0, 8)}`, `wf-${tag}@example.com`, subject];
    case 'setConsent':
      return [next(setup.socialIdentities).item, cursor % 2 ? 'GRANTED' : 'REVOKED', subject];
  }
}

async function graphql(token: string, op: WriteOp): Promise<Record<string, any>> {
  const res = await fetch(setup.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: GQL[op], variables: variables(op) }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors).slice(0, 300));
  return body.data;
}

/** One timed call of a client; claims also answer their item (untimed) so the agent's capacity frees up. */
async function call(phase: WritesPhase, slot: number, times: number[]): Promise<void> {
  const subject = setup.subjects[slot];
  const started = performance.now();
  if (phase.op === 'claimNextInteraction') {
    const claimed: string | undefined = phase.floor
      ? (await pool.query<{ id: string }>(CLAIM_SQL, [subject])).rows[0]?.id
      : (await graphql(setup.tokens[slot], phase.op)).claimNextInteraction?.id;
    times.push(performance.now() - started);
    if (claimed) await pool.query(`UPDATE interactions SET status = 'RESPONDED', responded_at = now() WHERE id = $1`, [claimed]);
    return;
  }
  if (phase.floor) await pool.query(FLOOR[phase.op], floorParams(phase.op, subject));
  else await graphql(setup.tokens[slot], phase.op);
  times.push(performance.now() - started);
}

async function run(phase: WritesPhase): Promise<PhaseOutcome> {
  const times: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  const thinkMs = phase.op === 'claimNextInteraction' ? setup.thinkMs : 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + phase.seconds * 1000;
  await Promise.all(Array.from({ length: phase.clients }, async (_, slot) => {
    while (performance.now() < end) {
      await call(phase, slot, times).catch((error: unknown) => {
        failed++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      });
      await think(thinkMs);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const sorted = times.sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { calls: times.length, failed, firstFailure, p50: q(0.5), p99: q(0.99), seconds, clientCpuSeconds: (used.user + used.system) / 1e6 };
}

process.on('message', (message: WritesSetup | WritesPhase) => {
  if ('url' in message) {
    setup = message;
    pool = new Pool({ connectionString: setup.dbUrl, max: setup.tokens.length + 2, idleTimeoutMillis: 0, application_name: 'bench-writes-floor' });
    process.send!({ ready: true });
    return;
  }
  run(message).then((outcome) => process.send!(outcome), (error: unknown) => {
    process.stderr.write(`writes load failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => void pool?.end().finally(() => process.exit(0)));
