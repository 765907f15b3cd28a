import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { CLAIM_SQL } from '../src/care/agent.service';
import { think } from './claim-runner';

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

/**
 * The floors: what each call stores (its rows, its history, audit and outbox rows), written by
 * one hand-written statement (one transaction) with nothing computed in between.
 */
const FLOOR: Record<Exclude<WriteOp, 'claimNextInteraction'>, string> = {
  recordInteraction: `
    WITH v AS (INSERT INTO conversations (customer_id, origin_channel, current_channel, channels, started_at, last_activity_at)
               VALUES ($1, 'FACEBOOK', 'FACEBOOK', '{FACEBOOK}', now(), now()) RETURNING id, customer_id),
         i AS (INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
                 sentiment, topics, lane, skill_group, status, sla_due_at, idempotency_key, content_hash, actionable, created_by)
               SELECT customer_id, id, 'FACEBOOK', 'INBOUND', now(), $2, true, 'COMPLAINT', -0.4, '{delivery}', 'CUSTOMER_SERVICE',
                      'Logistics', 'OPEN', now() + interval '1 hour', $3, md5($2), true, $4 FROM v
               RETURNING id, customer_id, conversation_id)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'INTERACTION_RECORDED', customer_id, jsonb_build_object('interactionId', id, 'customerId', customer_id,
           'conversationId', conversation_id, 'channel', 'FACEBOOK', 'direction', 'INBOUND', 'status', 'OPEN') FROM i`,
  respondToInteraction: `
    WITH o AS (SELECT * FROM interactions WHERE id = $1 FOR UPDATE),
         r AS (INSERT INTO interactions (customer_id, conversation_id, channel, direction, occurred_at, content, is_public, category,
                 sentiment, topics, lane, skill_group, status, in_reply_to_id, actionable, closed_loop, created_by)
               SELECT customer_id, conversation_id, channel, 'OUTBOUND', now(), $2, is_public, category, 0.2, topics, lane, skill_group,
                      'RESPONDED', id, false, false, $3 FROM o RETURNING id, customer_id, conversation_id),
         c AS (UPDATE conversations v SET last_activity_at = now() FROM o WHERE v.id = o.conversation_id),
         u AS (UPDATE interactions i SET responded_at = coalesce(i.responded_at, now()), status = 'RESPONDED' WHERE i.id = $1),
         h AS (INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, actor)
               SELECT customer_id, id, 'RESPONDED', status, 'RESPONDED', 'answered on FACEBOOK in public', $3 FROM o)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT t, r.customer_id, d FROM r, LATERAL (VALUES
      ('INTERACTION_RECORDED', jsonb_build_object('interactionId', r.id, 'customerId', r.customer_id, 'conversationId', r.conversation_id,
        'channel', 'FACEBOOK', 'direction', 'OUTBOUND', 'status', 'RESPONDED')),
      ('INTERACTION_RESPONDED', jsonb_build_object('interactionId', $1::uuid, 'customerId', r.customer_id, 'replyId', r.id, 'status', 'RESPONDED'))) x(t, d)`,
  escalateInteraction: `
    WITH o AS (SELECT * FROM interactions WHERE id = $1 FOR UPDATE),
         e AS (INSERT INTO escalations (customer_id, interaction_id, team, reason, automatic, created_by)
               SELECT customer_id, id, $2, 'needs a specialist', false, $3 FROM o RETURNING id, customer_id, interaction_id),
         a AS (INSERT INTO audit_log (actor, actor_roles, action, subject, details)
               SELECT $3, '{}', 'ESCALATED', customer_id, jsonb_build_object('escalationId', id, 'interactionId', interaction_id, 'team', $2::text) FROM e),
         u AS (UPDATE interactions i SET status = 'ESCALATED' WHERE i.id = $1 AND i.status IN ('OPEN', 'RESPONDED')),
         h AS (INSERT INTO interaction_history (customer_id, interaction_id, event, from_status, to_status, detail, escalation_id, actor)
               SELECT e.customer_id, e.interaction_id, 'ESCALATED', o.status, 'ESCALATED', 'to ' || $2 || ': needs a specialist', e.id, $3 FROM e, o)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'ESCALATION_RAISED', customer_id, jsonb_build_object('escalationId', id, 'interactionId', interaction_id, 'customerId', customer_id,
           'team', $2::text, 'automatic', false) FROM e`,
  recordTouchpoint: `
    WITH c AS (INSERT INTO customers (display_name, name_key) VALUES ($1, lower($1)) RETURNING id),
         p AS (INSERT INTO contact_points (customer_id, kind, value, captured_via, captured_by)
               SELECT id, 'EMAIL', $2, 'ONLINE_PURCHASE', $3 FROM c RETURNING id, customer_id),
         t AS (INSERT INTO touchpoint_events (customer_id, touchpoint, recorded_by, created_customer, identifiers, matched_ids, added_ids,
                 consent_count, attribute_keys, occurred_at)
               SELECT customer_id, 'ONLINE_PURCHASE', $3, true, jsonb_build_object('emails', jsonb_build_array($2::text)), '{}', ARRAY[id], 0, '{}', now() FROM p)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'CUSTOMER_CREATED', id, jsonb_build_object('customerId', id) FROM c`,
  setConsent: `
    WITH e AS (INSERT INTO consent_events (customer_id, social_identity_id, purpose, status, source, recorded_by, recorded_at)
               SELECT customer_id, id, 'MARKETING', $2, 'SOCIAL_MESSAGE', $3, now() FROM social_identities WHERE id = $1
               RETURNING customer_id, social_identity_id)
    INSERT INTO outbox_events (type, customer_id, data)
    SELECT 'CONSENT_CHANGED', customer_id, jsonb_build_object('customerId', customer_id, 'socialIdentityId', social_identity_id,
           'purpose', 'MARKETING', 'status', $2::text, 'source', 'SOCIAL_MESSAGE') FROM e`,
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
