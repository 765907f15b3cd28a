import autocannon from 'autocannon';
import { answerOnePlan } from './child-plan';

/**
 * Runs autocannon in its own process, so the load generator does not share an event loop with
 * the orchestrator. Forked by customer360.ts: receives one LoadPlan, replies one LoadSummary, exits.
 */

export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  /** Request bodies, one per sampled customer; each request picks one at random. */
  bodies: string[];
  durationSeconds: number;
  connections: number;
  /** A 200 response whose body contains this (GraphQL `"errors"`) counts as a failed request. */
  errorMarker?: string;
}

export interface LoadSummary {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** 2xx responses that carried errorMarker. */
  bodyErrors: number;
}

async function run(plan: LoadPlan): Promise<LoadSummary> {
  let bodyErrors = 0;
  const result = await autocannon({
    url: plan.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...plan.headers },
    connections: plan.connections,
    duration: plan.durationSeconds,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: plan.bodies[Math.floor(Math.random() * plan.bodies.length)] }),
        onResponse: (status, body) => {
          if (plan.errorMarker !== undefined && status < 300 && body.includes(plan.errorMarker)) bodyErrors++;
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    bodyErrors,
  };
}

answerOnePlan('load runner', run);
