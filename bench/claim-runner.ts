import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { answerOnePlan } from './child-plan';

/**
 * The agents of the claim benchmark, in their own process (forked by care-claims.ts), so the
 * HTTP clients do not share an event loop with the server they measure. Receives one
 * ClaimPlan, replies one ClaimResult, exits.
 */

export interface ClaimPlan {
  url: string;
  /** One token per agent; every agent runs at once. */
  tokens: string[];
  claimsPerAgent: number;
  /** Milliseconds an agent works on its item after answering, before the next claim (0: a closed loop). */
  thinkMs: number;
  /** How an agent answers its item before the next claim: a plain UPDATE (untimed), or respondToInteraction (timed). */
  answer: { viaHttp: false; dbUrl: string } | { viaHttp: true };
}

export interface ClaimResult {
  /** Milliseconds of every claim request, in completion order. */
  times: number[];
  /** Milliseconds of every respondToInteraction request (answers over HTTP only). */
  respondTimes: number[];
  /** The items claimed (to check none went to two agents). */
  items: string[];
  /** Claims answered null. */
  empty: number;
  /** CPU milliseconds the agents' process spent on the timed part (HTTP runs). */
  clientCpuMs?: number;
}

const CLAIM = `mutation { claimNextInteraction { id } }`;
const RESPOND = `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id } }`;

async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Waits about `ms` (0.5-1.5 times, so agents do not claim in lockstep); 0: not at all. */
export function think(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random()))) : Promise.resolve();
}

/** Each agent: claim (timed), answer (timed when by respondToInteraction) and think, claim again; all agents at once. */
export async function runClaims(plan: ClaimPlan): Promise<ClaimResult> {
  const db = plan.answer.viaHttp ? null : new Pool({ connectionString: plan.answer.dbUrl, max: plan.tokens.length });
  const result: ClaimResult = { times: [], respondTimes: [], items: [], empty: 0 };
  try {
    const claim = async (token: string, timed: boolean) => {
      const started = performance.now();
      const data = await post(plan.url, token, CLAIM);
      if (timed) result.times.push(performance.now() - started);
      const item = data.claimNextInteraction as { id: string } | null;
      if (!item) {
        if (timed) result.empty++;
        return;
      }
      if (timed) result.items.push(item.id);
      if (db) await db.query(`UPDATE interactions SET status = 'RESPONDED', responded_at = now() WHERE id = $1`, [item.id]);
      else {
        const started = performance.now();
        await post(plan.url, token, RESPOND, { input: { interactionId: item.id, content: 'Thanks for reaching out: we are on it.' } });
        if (timed) result.respondTimes.push(performance.now() - started);
      }
    };
    // One untimed claim per agent first (connections, caches), then all agents at once.
    for (const token of plan.tokens) await claim(token, false);
    const cpu = process.cpuUsage();
    await Promise.all(plan.tokens.map(async (token) => {
      await think(plan.thinkMs);
      for (let n = 0; n < plan.claimsPerAgent; n++) {
        await claim(token, true);
        await think(plan.thinkMs);
      }
    }));
    const used = process.cpuUsage(cpu);
    result.clientCpuMs = (used.user + used.system) / 1000;
  } finally {
    await db?.end();
  }
  return result;
}

// Forked: the parent sends the plan. Imported (care-claims.ts uses think()): nothing to answer.
if (process.send && require.main === module) answerOnePlan('claim runner', runClaims);
