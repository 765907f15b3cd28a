import { Gauge, type Registry } from 'prom-client';
import type { AuditService } from './audit.service';

/**
 * Refused attempts on /metrics: those written to the audit log, and those over the bound per
 * subject and window, counted only (audit_denial_windows holds them per subject). Monotonic,
 * summed over the app's audit services (the HTTP one and the live one).
 * Usage: `registerAuditMetrics(metrics.registry, [services.audit, liveServices.audit])` (src/app.ts)
 */
export function registerAuditMetrics(registry: Registry, audits: readonly Pick<AuditService, 'denials'>[]): void {
  const sum = (key: 'written' | 'counted') => audits.reduce((n, a) => n + a.denials[key], 0);
  new Gauge({
    name: 'social_crm_audit_access_denied_total', help: 'Refused attempts (ACCESS_DENIED): written to the audit log, or over the per-subject bound and counted only',
    labelNames: ['outcome'], registers: [registry],
    collect() {
      this.set({ outcome: 'written' }, sum('written'));
      this.set({ outcome: 'counted' }, sum('counted'));
    },
  });
}
