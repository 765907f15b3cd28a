import { Gauge, type Registry } from 'prom-client';
import type { EventBus } from './event-bus';
import type { ExecutionStats } from './live-execute';

/**
 * Live desk counters on /metrics: how notifications are batched into reads, and how many
 * executions the payloads cost (one per event and distinct document/variables/roles, not per subscriber).
 * Usage: `registerLiveMetrics(metrics.registry, bus, live, liveReads)` (src/app.ts)
 */
export function registerLiveMetrics(
  registry: Registry, bus: EventBus, live: { connections(): number; stats: ExecutionStats }, reads: { statements: number },
): void {
  const counts: [string, string, () => number][] = [
    ['social_crm_live_notifications_total', 'Outbox notifications received (one per committed transaction with events)', () => bus.stats.notifications],
    ['social_crm_live_event_reads_total', 'Statements that read notified events back (one per batch of notifications)', () => bus.stats.reads],
    ['social_crm_live_events_read_total', 'Outbox events read back for live subscriptions', () => bus.stats.events],
    ['social_crm_live_read_statements_total', 'Statements of payload reads (one per kind of read per batch of events)', () => reads.statements],
    ['social_crm_live_executions_total', 'Payload executions (shared by subscribers with the same document, variables and roles)', () => live.stats.executions],
    ['social_crm_live_payloads_total', 'Payloads sent to subscribers', () => live.stats.payloads],
    ['social_crm_live_connections', 'Open live WebSocket connections', () => live.connections()],
  ];
  for (const [name, help, read] of counts) {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  }
}
